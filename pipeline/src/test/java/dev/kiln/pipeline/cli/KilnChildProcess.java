package dev.kiln.pipeline.cli;

import dev.kiln.testkit.Mstflint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test helper: the kiln CLI as a process of its own ({@code java -cp <test classpath>
 * dev.kiln.pipeline.cli.Kiln ARGS}), for commands that must own their process, such as {@code
 * kiln device exec} (it serves FUSE and runs a child in a mount namespace) or a {@code kiln
 * query --device pci:...} started inside one. {@link #command} gives the argument vector to embed
 * in another command line.
 */
final class KilnChildProcess {
  static final long TIMEOUT_SECONDS = 60;

  private KilnChildProcess() {}

  /** {@code java -cp CLASSPATH dev.kiln.pipeline.cli.Kiln args...}. */
  static List<String> command(String... args) {
    return command(List.of(), args);
  }

  /**
   * {@code java JVM-OPTIONS -cp CLASSPATH dev.kiln.pipeline.cli.Kiln args...}, e.g. with a small
   * {@code -Xmx} to show that hostile input cannot make kiln allocate more.
   */
  static List<String> command(List<String> jvmOptions, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Kiln.class.getName());
    command.addAll(List.of(args));
    return command;
  }

  /**
   * Writes a {@code kiln} script into directory {@code bin} (created if needed) that runs this
   * build's CLI as {@link #command} does, for documented shell commands run with {@code bin} on
   * the PATH; returns {@code bin}.
   */
  static Path launcherIn(Path bin) throws IOException {
    Files.createDirectories(bin);
    Path kiln = bin.resolve("kiln");
    StringBuilder launcher = new StringBuilder("#!/bin/sh\nexec");
    for (String part : command()) {
      launcher.append(" '").append(part.replace("'", "'\\''")).append('\'');
    }
    launcher.append(" \"$@\"\n");
    Files.writeString(kiln, launcher, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(kiln, PosixFilePermissions.fromString("rwx------"));
    return bin;
  }

  /** Runs {@code prefix} followed by the kiln command line {@code args}, LC_ALL=C. */
  static Mstflint.Result run(List<String> prefix, String... args) {
    List<String> all = new ArrayList<>(prefix);
    all.addAll(command(args));
    return runCommand(all);
  }

  /** Runs {@code kiln args...} in a child JVM. */
  static Mstflint.Result run(String... args) {
    return run(List.of(), args);
  }

  /** Runs any command line and captures its output. */
  static Mstflint.Result runCommand(List<String> command) {
    return runCommand(command, TIMEOUT_SECONDS);
  }

  /** {@link #runCommand(List)} for commands that run many processes (launcher, bench scripts). */
  static Mstflint.Result runCommand(List<String> command, long timeoutSeconds) {
    try {
      Path out = Files.createTempFile("kiln-child-", ".out");
      Path err = Files.createTempFile("kiln-child-", ".err");
      try {
        ProcessBuilder builder =
            new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().put("LC_ALL", "C");
        Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException(command + " did not finish in " + timeoutSeconds + " s");
        }
        return new Mstflint.Result(
            process.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
