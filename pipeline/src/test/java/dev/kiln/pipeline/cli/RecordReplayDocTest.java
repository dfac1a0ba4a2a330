package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.testkit.SharedFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command lines of docs/burner.md "Recording and replaying a session", run as shipped, each in
 * a child JVM in the directory the doc means: the capture block in a fresh directory with {@code
 * pci:0000:03:00.0} served by an emulated PCI function ({@link EmulatedPciKiln}), the real
 * ConnectX-5 block from the project root.
 */
class RecordReplayDocTest {
  static final Path ROOT = SharedFixtures.projectRoot();

  record Result(int code, String out, String err) {}

  /** The {@code kiln} lines of the fenced block after {@code <!-- marker -->} in docs/burner.md. */
  static List<String[]> block(String marker) throws IOException {
    List<String> lines = Files.readAllLines(ROOT.resolve("docs/burner.md"), StandardCharsets.UTF_8);
    int at = lines.indexOf("<!-- " + marker + " -->");
    assertTrue(at >= 0, "docs/burner.md has no <!-- " + marker + " --> block");
    assertTrue(lines.get(at + 1).startsWith("```"), "a fenced block follows the marker");
    List<String[]> commands = new ArrayList<>();
    for (int i = at + 2; !lines.get(i).startsWith("```"); i++) {
      String line = lines.get(i).replaceAll("\\s+#.*$", "").strip();
      if (line.startsWith("kiln ")) {
        commands.add(line.substring("kiln ".length()).split("\\s+"));
      }
    }
    return commands;
  }

  static Result run(Path cwd, Path pciDevice, String[] args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(EmulatedPciKiln.class.getName());
    command.addAll(Arrays.asList(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile());
    if (pciDevice != null) {
      builder.environment().put("KILN_TEST_PCI_DEVICE_DIR", pciDevice.toString());
    }
    Path out = Files.createTempFile("doc-out", ".txt");
    Path err = Files.createTempFile("doc-err", ".txt");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("timed out: kiln " + String.join(" ", args));
    }
    Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    Files.delete(out);
    Files.delete(err);
    return result;
  }

  @Test
  void captureAndReplayASession(@TempDir Path dir) throws Exception {
    Path image = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    Path device = BurnTestImages.device(dir.resolve("device"), image);
    Path cwd = Files.createDirectory(dir.resolve("session"));
    List<String[]> commands = block("doc-test: capture");
    assertEquals(2, commands.size());
    List<Result> results = new ArrayList<>();
    for (String[] args : commands) {
      Result result = run(cwd, device, args);
      assertEquals(0, result.code(), String.join(" ", args) + ": " + result.err());
      results.add(result);
    }
    String recorded = results.get(0).out().replaceAll("(?m)^Device: .*\\n", "");
    String replayed = results.get(1).out().replaceAll("(?m)^Device: .*\\n", "");
    assertTrue(recorded.contains("FW Version:             22.39.1002"), recorded);
    assertEquals(recorded, replayed);
  }

  @Test
  void replayTheRealConnectX5(@TempDir Path dir) throws Exception {
    SharedFixtures.directory("real-cx5-query");
    List<String[]> commands = block("doc-test: real-cx5");
    assertEquals(2, commands.size());
    for (String[] args : commands) {
      Result result = run(ROOT, null, args);
      assertEquals(0, result.code(), String.join(" ", args) + ": " + result.err());
      assertTrue(result.out().contains("MT_0000000013"), result.out());
    }
  }
}
