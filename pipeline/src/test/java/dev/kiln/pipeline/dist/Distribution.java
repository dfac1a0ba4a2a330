package dev.kiln.pipeline.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged kiln (kiln-VERSION.tar.gz, built by {@code mvn package}) unpacked into a temporary
 * directory, and a PATH that holds a Java runtime and the named shell tools only: no Maven, no
 * source tree. The archive's path comes from the surefire property {@code kiln.distribution}.
 */
final class Distribution {
  /** The archive {@code mvn package} built. */
  static Path archive() {
    String property = System.getProperty("kiln.distribution");
    assertTrue(property != null, "run with the surefire execution that sets kiln.distribution");
    Path archive = Path.of(property);
    assertTrue(Files.isRegularFile(archive), archive + " was not built by mvn package");
    return archive;
  }

  /** The output of one process. */
  record Run(int exitCode, String out) {}

  /**
   * A directory of symbolic links to {@code tools} (looked up in /usr/bin and /bin), for a PATH
   * without Maven.
   */
  static Path tools(Path dir, List<String> tools) throws IOException {
    Files.createDirectories(dir);
    for (String tool : tools) {
      Path found = null;
      for (String where : List.of("/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/")) {
        if (Files.isExecutable(Path.of(where + tool))) {
          found = Path.of(where + tool);
          break;
        }
      }
      assertTrue(found != null, "the test needs " + tool + " on this machine");
      Files.createSymbolicLink(dir.resolve(tool), found);
    }
    return dir;
  }

  /** PATH: this JVM's own bin directory, then {@code tools}. */
  static String path(Path tools) {
    return Path.of(System.getProperty("java.home"), "bin") + ":" + tools;
  }

  /** Unpacks the archive into {@code dir} with tar and returns the installation directory. */
  static Path unpack(Path dir) throws Exception {
    Files.createDirectories(dir);
    Run tar = run(dir, Map.of("PATH", "/usr/bin:/bin"), List.of("tar", "-xzf",
        archive().toString()));
    assertEquals(0, tar.exitCode(), tar.out());
    try (var entries = Files.list(dir)) {
      List<Path> homes = entries.filter(p -> p.getFileName().toString().startsWith("kiln-"))
          .toList();
      assertEquals(1, homes.size(), "one top directory kiln-VERSION: " + homes);
      return homes.get(0);
    }
  }

  /**
   * Runs {@code command} in {@code cwd} with exactly {@code environment} (plus HOME=cwd unless
   * given), output and errors together, at most ten minutes.
   */
  static Run run(Path cwd, Map<String, String> environment, List<String> command)
      throws Exception {
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command));
    builder.directory(cwd.toFile());
    builder.environment().clear();
    builder.environment().put("HOME", cwd.toString());
    builder.environment().putAll(environment);
    builder.redirectErrorStream(true);
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Path log = Files.createTempFile(cwd, ".run", ".log");
    builder.redirectOutput(log.toFile());
    Process process = builder.start();
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("timed out: " + command);
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    Files.delete(log);
    return new Run(process.exitValue(), out);
  }

  private Distribution() {}
}
