package dev.kiln.pipeline.cli;

import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.testkit.Mstflint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the "Try it" block of docs/input-limits.md as it stands, with {@code sh}, this build's
 * {@code kiln} on the PATH and the files the text names; each line's trailing comment
 * {@code # exit N: TEXT} is checked: the exit code, and TEXT in what it printed.
 */
class InputLimitsDocTest {
  private static final Path DOC = Path.of("..", "docs", "input-limits.md");
  private static final Pattern EXPECTATION = Pattern.compile("^(.*?)\\s+# exit (\\d+): (.*)$");

  @Test
  void theDocumentedCommandsDoWhatTheDocSays(@TempDir Path work) throws Exception {
    try (Fixtures fixtures = new Fixtures(work.resolve("fixtures"))) {
      Path older = fixtures.signed(SampleFirmware.Spec.secure("22.39.2000"), "fw-22.39.2000");
      Path newer = fixtures.signed(SampleFirmware.Spec.secure("22.41.1000"), "fw-22.41.1000");
      bundle(fixtures, older, work.resolve("old.kbundle"));
      bundle(fixtures, newer, work.resolve("new.kbundle"));
      Files.copy(fixtures.publicKey, work.resolve("release.pub.pem"));
      Files.copy(newer, work.resolve("fw.bin"));
    }
    Path bin = KilnChildProcess.launcherIn(work.resolve("bin"));
    List<String> lines = DocBlocks.firstBlockAfter(DOC, "## Try it", line -> !line.isBlank());
    assertEquals(6, lines.stream().filter(line -> line.contains("# exit ")).count(), lines.toString());
    for (String line : lines) {
      Matcher expectation = EXPECTATION.matcher(line);
      String command = expectation.matches() ? expectation.group(1) : line;
      int exitCode = expectation.matches() ? Integer.parseInt(expectation.group(2)) : 0;
      Mstflint.Result result =
          KilnChildProcess.runCommand(
              List.of("sh", "-c", "cd \"$1\" && PATH=\"$2:$PATH\" && " + command, "doc",
                  work.toString(), bin.toString()));
      assertEquals(exitCode, result.exitCode(), line + "\n" + result.output());
      if (expectation.matches()) {
        assertTrue(result.output().contains(expectation.group(3)), line + "\n" + result.output());
        assertTrue(!result.output().contains("Exception"), result.output());
      }
    }
  }

  private static void bundle(Fixtures fixtures, Path image, Path out) {
    Fixtures.Result result =
        Fixtures.kiln("bundle", "create", "--out", out.toString(), "--key",
            "file:" + fixtures.privateKey, "--allow-sample-keys", image.toString());
    assertEquals(0, result.exitCode(), result.out() + result.err());
  }
}
