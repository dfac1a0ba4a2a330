package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.testkit.Mstflint;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: the {@code ./kiln} launcher (with pipeline/launcher/jvm-startup.sh) uses the best
 * start-up aid of the JDK it runs: an AOT cache on JDK 24 and later, a CDS archive on 17, records
 * it once and says so in {@code kiln --version}. The launcher runs as shipped from a copy of the
 * repository's launcher files, with a kiln.jar whose manifest names this build's classes (so it
 * never builds), once per JDK; the JDK 25 half runs where Temurin 25 is installed (these machines;
 * /usr/lib/jvm/temurin-25-jdk-amd64).
 */
class LauncherStartupAidTest {
  private static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

  @TempDir static Path root;

  @BeforeAll
  static void copyTheLauncher() throws Exception {
    Path repository = Path.of("").toAbsolutePath().getParent();
    for (String file :
        List.of("kiln", "pipeline/launcher/jvm-startup.sh", "pipeline/jit/c2-for-sha-only.json")) {
      Path target = root.resolve(file);
      Files.createDirectories(target.getParent());
      Files.copy(repository.resolve(file), target, StandardCopyOption.COPY_ATTRIBUTES);
    }
    Manifest manifest = new Manifest();
    Attributes main = manifest.getMainAttributes();
    main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    main.put(Attributes.Name.MAIN_CLASS, Kiln.class.getName());
    List<String> urls = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      urls.add(Path.of(entry).toUri().toString());
    }
    main.put(Attributes.Name.CLASS_PATH, String.join(" ", urls));
    Path jar = Files.createDirectories(root.resolve("pipeline/target")).resolve("kiln.jar");
    // The manifest is the whole jar.
    try (OutputStream out = Files.newOutputStream(jar)) {
      new JarOutputStream(out, manifest).finish();
    }
  }

  private static Mstflint.Result launch(String path, String... environment) {
    List<String> command = new ArrayList<>(List.of("env", "PATH=" + path));
    command.addAll(List.of(environment));
    command.add(root.resolve("kiln").toString());
    command.add("--version");
    return KilnChildProcess.runCommand(command, 600);
  }

  private static String javaOf(Path home) {
    return home.resolve("bin/java").toString();
  }

  @Test
  void jdk17RecordsAndUsesACdsArchive() throws Exception {
    Path jdk = Path.of(System.getProperty("java.home"));
    assumeTrue(Runtime.version().feature() < 24, "the build runs on JDK 17");
    Mstflint.Result run = launch("/usr/bin:/bin", "KILN_JAVA=" + javaOf(jdk));
    assertEquals(0, run.exitCode(), run.output());
    Path archive = root.resolve("pipeline/target/kiln-jdk" + Runtime.version().feature() + ".jsa");
    assertTrue(run.output().contains("JDK " + System.getProperty("java.runtime.version")),
        run.output());
    assertTrue(run.output().contains("start-up aid: CDS archive " + archive
        + "; JVM class sharing on"), run.output());
    assertTrue(Files.size(archive) > 0, "the archive was recorded");

    // java found on PATH through a symbolic link (as /usr/bin/java is): same JDK, same archive.
    Path bin = Files.createDirectories(root.resolve("bin"));
    Files.deleteIfExists(bin.resolve("java"));
    Files.createSymbolicLink(bin.resolve("java"), jdk.resolve("bin/java"));
    Mstflint.Result onPath = launch(bin + ":/usr/bin:/bin", "KILN_PREFERRED_JDK=");
    assertEquals(0, onPath.exitCode(), onPath.output());
    assertTrue(onPath.output().contains("start-up aid: CDS archive " + archive), onPath.output());
  }

  @Test
  void jdk25IsPreferredAndUsesAnAotCache() throws Exception {
    assumeTrue(Files.isExecutable(TEMURIN_25.resolve("bin/java")), "Temurin 25 is installed");
    Mstflint.Result run = launch("/usr/bin:/bin", "KILN_PREFERRED_JDK=" + TEMURIN_25);
    assertEquals(0, run.exitCode(), run.output());
    Path cache = root.resolve("pipeline/target/kiln-jdk25.aot");
    assertTrue(run.output().contains("JDK 25"), run.output());
    assertTrue(run.output().contains(TEMURIN_25.toString()), run.output());
    assertTrue(run.output().contains("start-up aid: AOT cache " + cache
        + "; JVM class sharing on"), run.output());
    assertTrue(Files.size(cache) > 0, "the cache was recorded");
  }
}
