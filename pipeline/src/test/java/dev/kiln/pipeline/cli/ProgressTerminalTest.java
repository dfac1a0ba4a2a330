package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The burn's progress display as a real process sees it: under a pseudo-terminal of 40 columns
 * ({@code script} from util-linux, with {@code stty cols 40} and no COLUMNS) the bar is redrawn in
 * place and never reaches the last column, so nothing wraps; with stderr a pipe, a line per 10 %
 * goes to stderr and nothing of the progress to stdout. Fails when {@code script} is missing
 * (util-linux, part of every Debian base system).
 */
class ProgressTerminalTest {
  @TempDir static Path dir;
  static Path v1;
  static Path v2;

  @BeforeAll
  static void build() throws Exception {
    v1 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    v2 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.41.1000"), "v2");
  }

  private static List<String> kilnCommand(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Kiln.class.getName());
    command.addAll(List.of(args));
    return command;
  }

  private static String shellQuote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }

  private static String run(ProcessBuilder builder, Path stdout) throws Exception {
    builder.environment().remove("COLUMNS");
    Process process = builder.redirectOutput(stdout.toFile()).start();
    byte[] err = process.getErrorStream().readAllBytes();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "kiln did not finish");
    assertEquals(0, process.exitValue(), new String(err, StandardCharsets.UTF_8)
        + Files.readString(stdout));
    return new String(err, StandardCharsets.UTF_8);
  }

  @Test
  void underAFortyColumnTerminalTheBarNeverWraps(@TempDir Path work) throws Exception {
    Path device = BurnTestImages.device(work.resolve("dev"), v1);
    String kiln = String.join(" ",
        kilnCommand("burn", "--device", "emu:" + device, v2.toString(), "--yes").stream()
            .map(ProgressTerminalTest::shellQuote).toList());
    Path typescript = work.resolve("typescript.txt");
    run(new ProcessBuilder("script", "-qfec", "stty cols 40 rows 24; exec " + kiln, "/dev/null")
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())),
        typescript);
    String screen = Files.readString(typescript, StandardCharsets.UTF_8);
    List<String> draws = new ArrayList<>();
    for (String line : screen.split("\r?\n")) {
      String[] segments = line.split("\r");
      for (String segment : segments) {
        if (segment.startsWith("Writing")) {
          draws.add(segment);
        }
      }
    }
    assertTrue(draws.size() >= 2, "the bar is drawn at the start and at 100%:\n" + screen);
    for (String draw : draws) {
      assertEquals(39, draw.length(), "one column short of the terminal: '" + draw + "'");
      assertTrue(draw.startsWith("Writing ["), draw);
    }
    assertTrue(draws.get(draws.size() - 1).contains("100%"), draws.toString());
    assertTrue(screen.contains("\rWriting ["), "redrawn in place with a carriage return");
  }

  @Test
  void inAPipeProgressIsALinePerTenPercentOnStderr(@TempDir Path work) throws Exception {
    Path device = BurnTestImages.device(work.resolve("dev"), v1);
    Path stdout = work.resolve("stdout.txt");
    String err =
        run(new ProcessBuilder(kilnCommand("burn", "--device", "emu:" + device, v2.toString(),
                "--yes")), stdout);
    List<String> writing = err.lines().filter(line -> line.startsWith("Writing:")).toList();
    List<String> percents = writing.stream().map(line -> line.substring(8, 13).trim()).toList();
    assertEquals(
        List.of("0%", "10%", "20%", "30%", "40%", "50%", "60%", "70%", "80%", "90%", "100%"),
        percents, err);
    assertTrue(!err.contains("\r"), "no carriage returns in a pipe");
    assertTrue(!Files.readString(stdout).contains("Writing"), "no progress on stdout");
    assertTrue(Files.readString(stdout).contains("Burned "), Files.readString(stdout));
  }
}
