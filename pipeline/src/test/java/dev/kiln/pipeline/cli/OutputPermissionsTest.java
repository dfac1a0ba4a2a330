package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.testkit.Mstflint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: outputs were created 0600 whatever the umask. Every kind of output (a built image, a
 * signed image, a key file, a report) now gets 0666 less the umask, as any program's output does;
 * the emulator daemon's token, secret material, stays owner-only (DaemonHardeningTest).
 */
class OutputPermissionsTest {
  @TempDir Path dir;

  /** Runs kiln in a child JVM under {@code umask 002}. */
  static void kilnUnderUmask002(String... args) {
    List<String> command = new ArrayList<>(List.of("bash", "-c", "umask 002 && exec \"$@\"", "-"));
    command.addAll(KilnChildProcess.command(args));
    Mstflint.Result run = KilnChildProcess.runCommand(command);
    assertEquals(0, run.exitCode(), String.join(" ", args) + ": " + run.stderr());
  }

  static String mode(Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  @Test
  void outputsHonourTheUmask() throws Exception {
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_2048, dir);
    Path image = dir.resolve("built.bin");
    kilnUnderUmask002("build", "src/main/resources/dev/kiln/pipeline/samples/cx6dx-sample.json",
        "--out", image.toString());
    Path signed = dir.resolve("signed.bin");
    kilnUnderUmask002("sign", image.toString(), "--out", signed.toString(), "--key",
        "file:" + key, "--key-uuid", SampleKey.RSA_2048.uuid().toString(),
        "--allow-sample-keys");
    Path exported = dir.resolve("exported.pub.pem");
    kilnUnderUmask002("keys", "export", "file:" + key, "--out", exported.toString());
    for (Path output : List.of(image, signed, exported)) {
      assertEquals("rw-rw-r--", mode(output), output.getFileName().toString());
    }
  }
}
