package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.testkit.Mstflint;
import dev.kiln.testkit.SharedFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the command blocks of docs/packages.md as they stand, by {@code sh} with {@code kiln} (this
 * build) on the PATH: the package commands in a directory holding the files they name, the
 * fixture commands from the project root.
 */
class PackageDocCommandsTest {
  private static final Path ROOT = SharedFixtures.projectRoot();

  @Test
  void thePackageCommandsRun(@TempDir Path work) throws Exception {
    List<String> commands = block("doc-test: packages");
    assertEquals(10, commands.size(), commands.toString());
    try (Fixtures fixtures = new Fixtures(Files.createDirectories(work.resolve("keys")))) {
      Files.copy(fixtures.privateKey, work.resolve("release.pem"));
      Files.copy(fixtures.publicKey, work.resolve("release.pub.pem"));
      Files.copy(fixtures.signed(SampleFirmware.Spec.secure("22.39.1002"), "running"),
          work.resolve("fw-22.39.1002.bin"));
      Files.copy(fixtures.signed(SampleFirmware.Spec.secure("22.41.1000"), "a"),
          work.resolve("fw-528.bin"));
      Files.copy(
          fixtures.signed(SampleFirmware.Spec.secure("22.41.1000").withPsid("MT_0000000999"), "b"),
          work.resolve("fw-999.bin"));
    }
    Files.writeString(work.resolve("policy.json"), """
        {
          "trustedKeys": ["release.pub.pem"],
          "requiredSignatures": ["IMAGE_SIGNATURE_256"],
          "allowedPsids": ["MT_0000000528", "MT_0000000999"],
          "allowedDeviceIds": ["0x212"],
          "minimumSecurityVersion": 1,
          "requireSecureFw": true,
          "packageKeys": ["release.pub.pem"]
        }
        """, StandardCharsets.UTF_8);
    List<Mstflint.Result> results = run(work, commands);
    assertTrue(results.get(3).stdout().startsWith("rel.mfa2: verified (MFA2 archive"),
        results.get(3).output());
    assertTrue(results.get(5).stdout().contains("PSID MT_0000000999"), results.get(5).output());
    assertTrue(results.get(7).stdout().contains("rel.mfa2:MT_0000000528 component 0"),
        results.get(7).output());
    assertTrue(results.get(8).stdout().contains("ACCEPT"), results.get(8).output());
    assertTrue(results.get(9).stdout().contains("gate passed"), results.get(9).output());
  }

  @Test
  void theFixtureCommandsRun() throws Exception {
    List<String> commands = block("doc-test: package-fixtures");
    assertEquals(2, commands.size(), commands.toString());
    List<Mstflint.Result> results = run(ROOT, commands);
    String mfa2 = results.get(0).stdout();
    assertTrue(mfa2.contains("Created:         2026-12-04 02:28:05"), mfa2);
    assertTrue(mfa2.contains("PSID MT_0000000999: component 0"), mfa2);
    assertTrue(mfa2.contains("PSID MT_0000000359: component 1"), mfa2);
    assertTrue(mfa2.contains("FW 22.41.1000, released 15.6.2023, 42560 bytes"), mfa2);
    String pldm = results.get(1).stdout();
    assertTrue(pldm.contains("DSP0267 1.3 firmware package"), pldm);
    assertTrue(pldm.contains("  PSID MT_0000000359"), pldm);
  }

  private static List<Mstflint.Result> run(Path cwd, List<String> commands) throws Exception {
    Path bin = Files.createTempDirectory("kiln-doc-bin");
    Path kiln = bin.resolve("kiln");
    StringBuilder launcher = new StringBuilder("#!/bin/sh\nexec");
    for (String part : KilnChildProcess.command()) {
      launcher.append(" '").append(part.replace("'", "'\\''")).append('\'');
    }
    launcher.append(" \"$@\"\n");
    Files.writeString(kiln, launcher, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(kiln, PosixFilePermissions.fromString("rwx------"));
    List<Mstflint.Result> results = new ArrayList<>();
    try {
      for (String command : commands) {
        Mstflint.Result result =
            KilnChildProcess.runCommand(
                List.of("sh", "-c", "cd \"$1\" && PATH=\"$2:$PATH\" && " + command, "doc",
                    cwd.toString(), bin.toString()));
        assertEquals(0, result.exitCode(), command + "\n" + result.output());
        results.add(result);
      }
    } finally {
      Files.delete(kiln);
      Files.delete(bin);
    }
    return results;
  }

  /** The {@code kiln ...} lines of the fenced block after {@code <!-- marker -->}. */
  private static List<String> block(String marker) throws Exception {
    List<String> lines = Files.readAllLines(ROOT.resolve("docs/packages.md"), StandardCharsets.UTF_8);
    int at = lines.indexOf("<!-- " + marker + " -->");
    assertTrue(at >= 0, "docs/packages.md has no <!-- " + marker + " --> block");
    assertTrue(lines.get(at + 1).startsWith("```"), "a fenced block follows the marker");
    List<String> commands = new ArrayList<>();
    for (int i = at + 2; !lines.get(i).startsWith("```"); i++) {
      if (lines.get(i).startsWith("kiln ")) {
        commands.add(lines.get(i));
      }
    }
    return commands;
  }
}
