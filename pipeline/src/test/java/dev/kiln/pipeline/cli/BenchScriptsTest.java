package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testkit.Mstflint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, honest figures: every bench script of issue 14's goals runs on a fresh-clone-like tree
 * (the repository's bench/, launcher library and sample keys committed into a new git repository,
 * nothing built, nothing installed in ~/.m2) with a tiny size and {@code --allow-load}, and prints
 * the commit, the JDK, the load average before and after and, per comparison, the medians and
 * ratios of alternating runs; without {@code --allow-load} a run whose load exceeded the gate
 * prints no result and exits 3. Shapes only: no timing is checked. KILN names this build's CLI.
 */
class BenchScriptsTest {
  @TempDir static Path root;
  static Path kiln;

  @BeforeAll
  static void freshCloneLikeTree() throws Exception {
    Path repository = Path.of("").toAbsolutePath().getParent();
    for (String directory :
        List.of("bench", "pipeline/launcher", "keys-sample/src/main/resources/dev/kiln/keys")) {
      try (Stream<Path> files = Files.walk(repository.resolve(directory))) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          Path relative = repository.relativize(file);
          if (relative.toString().contains("/target/")) {
            continue;
          }
          Path target = root.resolve(relative.toString());
          Files.createDirectories(target.getParent());
          Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    for (List<String> git :
        List.of(
            List.of("git", "init", "-q"),
            List.of("git", "add", "-A"),
            List.of("git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit",
                "-q", "-m", "fresh clone"))) {
      List<String> command = new ArrayList<>(List.of("env", "-C", root.toString()));
      command.addAll(git);
      Mstflint.Result result = KilnChildProcess.runCommand(command);
      assertEquals(0, result.exitCode(), result.output());
    }
    kiln = root.resolve("bin/kiln");
    Files.createDirectories(kiln.getParent());
    StringBuilder launcher = new StringBuilder("#!/bin/sh\nexec");
    for (String part : KilnChildProcess.command()) {
      launcher.append(" '").append(part.replace("'", "'\\''")).append('\'');
    }
    launcher.append(" \"$@\"\n");
    Files.writeString(kiln, launcher, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(kiln, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static Mstflint.Result bench(String maxLoad, String script, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "env",
                "KILN=" + kiln,
                "KILN_JAVA=" + Path.of(System.getProperty("java.home"), "bin", "java"),
                "BENCH_MAX_LOAD=" + maxLoad,
                root.resolve("bench").resolve(script).toString()));
    command.addAll(List.of(args));
    return KilnChildProcess.runCommand(command, 600);
  }

  private static void assertHonestShape(Mstflint.Result run, int comparisons) {
    String out = run.output();
    assertEquals(0, run.exitCode(), out);
    assertTrue(Pattern.compile("(?m)^commit:  [0-9a-f]{7,}$").matcher(out).find(), out);
    assertTrue(Pattern.compile("(?m)^kiln:    JDK \\d+").matcher(out).find(), out);
    assertTrue(Pattern.compile("(?m)^load average before: [0-9.]+ [0-9.]+ [0-9.]+$")
        .matcher(out).find(), out);
    assertTrue(Pattern.compile("(?m)^load average after:  [0-9.]+ [0-9.]+ [0-9.]+ ")
        .matcher(out).find(), out);
    long ratios =
        Pattern.compile("(?m)^  ratio \\S+/\\S+: [0-9.]+ wall, (?:[0-9.]+|n/a) CPU, "
                + "(?:[0-9.]+|n/a) RSS \\(goal: .+\\)$")
            .matcher(out).results().count();
    long medians =
        Pattern.compile("(?m)^\\S.* \\(\\d+ alternating runs each, medians\\)$")
            .matcher(out).results().count();
    assertEquals(comparisons, ratios, out);
    assertEquals(comparisons, medians, out);
  }

  @Test
  void signBenchComparesBothShapesWithMstflint() {
    assertHonestShape(bench("1.5", "sign-bench.sh", "--runs", "1", "--size", "1",
        "--allow-load"), 2);
  }

  @Test
  void manyBenchSignsAndVerifiesSeveralImagesInOneRun() {
    assertHonestShape(bench("1.5", "many-bench.sh", "--runs", "1", "--size", "1", "--count", "2",
        "--allow-load"), 2);
  }

  @Test
  void startupBenchComparesVerifyAndInspectWithAnEmptyMain() {
    assertHonestShape(bench("1.5", "bench.sh", "--runs", "1", "--size", "1", "--allow-load"), 4);
  }

  @Test
  void rssBenchComparesSignWithTheJvmFloor() {
    Mstflint.Result run = bench("1.5", "rss-bench.sh", "--runs", "1", "--size", "1",
        "--allow-load");
    assertEquals(0, run.exitCode(), run.output());
    assertEquals(2,
        Pattern.compile("(?m)^sign, (small|full) sections \\(1 alternating runs, medians\\): peak"
                + " RSS [0-9.]+ MiB; empty main [0-9.]+ MiB; goal <= [0-9.]+ MiB .*: (met|not met);")
            .matcher(run.output()).results().count(), run.output());
    assertTrue(run.output().contains("load average after:"), run.output());
  }

  @Test
  void burnBenchBurnsTheWholeCommandOverTcp() {
    Mstflint.Result run = bench("1.5", "burn-bench.sh", "--runs", "1", "--size", "1",
        "--allow-load");
    assertHonestShape(run, 1);
    assertTrue(Pattern.compile("(?m)^  throughput of the whole command: tcp:// [0-9.]+ MiB/s, "
        + "emu: [0-9.]+ MiB/s \\(goal: tcp:// >= 20 MiB/s: (met|not met)\\)$")
        .matcher(run.output()).find(), run.output());
  }

  @Test
  void aLoadAboveTheGateRefusesToPrintResults() {
    // A gate below any load average: the run must refuse, whatever the machine is doing.
    Mstflint.Result run = bench("-1", "sign-bench.sh", "--runs", "1", "--size", "1",
        "--shape", "small");
    assertEquals(3, run.exitCode(), run.output());
    assertTrue(run.output().contains("bench: refused: the load average reached"), run.output());
    assertFalse(run.output().contains("ratio"), run.output());
    assertTrue(run.output().contains("load average after:"), run.output());
  }
}
