package dev.kiln.pipeline.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, point 2: {@code mvn package} makes kiln-VERSION.tar.gz, which runs {@code kiln demo}
 * from a temporary directory with a Java runtime alone: no Maven on PATH, no source tree.
 */
@Tag("distribution")
class DistributionTest {
  @TempDir Path dir;

  @Test
  void theArchiveRunsTheDemoWithAJavaRuntimeAndNoMaven() throws Exception {
    Path home = Distribution.unpack(dir.resolve("opt"));
    assertTrue(Files.isExecutable(home.resolve("bin/kiln")), "bin/kiln is executable");
    // Every jar kiln.jar's manifest names is in the archive.
    try (JarFile jar = new JarFile(home.resolve("kiln.jar").toFile())) {
      String classPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
      for (String entry : classPath.trim().split("\\s+")) {
        assertTrue(Files.isRegularFile(home.resolve(entry)), "missing " + entry);
      }
    }
    Path tools = Distribution.tools(dir.resolve("tools"), List.of("bash", "env", "readlink"));
    Map<String, String> env = Map.of("PATH", Distribution.path(tools));
    Path work = Files.createDirectories(dir.resolve("work"));
    Distribution.Run noMaven =
        Distribution.run(work, env, List.of("/bin/bash", "-c", "command -v mvn"));
    assertEquals(1, noMaven.exitCode(), "mvn must not be on the test's PATH: " + noMaven.out());

    // Through a symbolic link, as an installation into /usr/local/bin would be.
    Path link = Files.createDirectories(dir.resolve("links")).resolve("kiln");
    Files.createSymbolicLink(link, home.resolve("bin/kiln"));
    Distribution.Run demo = Distribution.run(work, env, List.of(link.toString(), "demo"));
    assertEquals(0, demo.exitCode(), demo.out());
    assertTrue(demo.out().contains("The release path worked end to end"), demo.out());
  }

  @Test
  void withoutAJavaRuntimeTheLauncherSaysSo() throws Exception {
    Path home = Distribution.unpack(dir.resolve("opt"));
    Path tools = Distribution.tools(dir.resolve("tools"), List.of("bash", "env", "readlink"));
    Distribution.Run run =
        Distribution.run(dir, Map.of("PATH", tools.toString()),
            List.of(home.resolve("bin/kiln").toString(), "--version"));
    assertEquals(2, run.exitCode(), run.out());
    assertEquals(
        "kiln: no Java runtime: install Java 17 or later, or set JAVA_HOME\n", run.out());
  }
}
