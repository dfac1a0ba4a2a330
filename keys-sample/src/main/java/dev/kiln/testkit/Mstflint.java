package dev.kiln.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code mstflint} (the vendor reference tool) for tests that compare kiln with it.
 * Tests that need mstflint must fail, not skip, when it is missing: CI installs it, and a silently
 * skipped reference comparison would hide regressions. {@link #require()} throws with an install
 * hint.
 *
 * <p>Remember mstflint's rule that options precede the command word: {@code mstflint -i IMG
 * --private_key K sign}, never {@code ... sign --private_key K}.
 */
public final class Mstflint {
  /** Where the Debian/Ubuntu package installs the binary. */
  public static final Path DEFAULT_BINARY = Path.of("/usr/bin/mstflint");

  private static final long DEFAULT_TIMEOUT_SECONDS = 60;

  private final Path binary;

  private Mstflint(Path binary) {
    this.binary = binary;
  }

  /**
   * The installed mstflint ({@code $MSTFLINT} or /usr/bin/mstflint).
   *
   * @throws IllegalStateException if it is not installed
   */
  public static Mstflint require() {
    String override = System.getenv("MSTFLINT");
    Path binary = override != null && !override.isBlank() ? Path.of(override) : DEFAULT_BINARY;
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          binary + " is not installed; these tests compare kiln with the vendor tool "
              + "(apt-get install mstflint)");
    }
    return new Mstflint(binary);
  }

  /**
   * What one run printed and returned.
   *
   * @param exitCode the process exit code
   * @param stdout standard output
   * @param stderr standard error
   */
  public record Result(int exitCode, String stdout, String stderr) {
    /** Standard output followed by standard error. */
    public String output() {
      return stdout + stderr;
    }

    /**
     * The value of a {@code Name: value} line of {@code query} output (first match, trimmed), or
     * null when there is no such line.
     */
    public String field(String name) {
      for (String line : stdout.split("\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  /** The mstflint executable this runner starts. */
  public Path binary() {
    return binary;
  }

  /** Runs {@code mstflint -i image args...} with the default timeout. */
  public Result onImage(Path image, String... args) {
    List<String> all = new ArrayList<>(List.of("-i", image.toString()));
    all.addAll(List.of(args));
    return run(DEFAULT_TIMEOUT_SECONDS, all);
  }

  /** {@code mstflint -i image verify}. */
  public Result verify(Path image) {
    return onImage(image, "verify");
  }

  /** {@code mstflint -i image query full}. */
  public Result queryFull(Path image) {
    return onImage(image, "query", "full");
  }

  /**
   * Runs mstflint with {@code args}, killing it after {@code timeoutSeconds}.
   *
   * @throws IllegalStateException on timeout
   */
  public Result run(long timeoutSeconds, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("LC_ALL", "C");
    builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary, e);
    }
    // Drain both streams concurrently so a chatty process cannot block on a full pipe.
    CompletableFuture<String> out = drain(process.getInputStream());
    CompletableFuture<String> err = drain(process.getErrorStream());
    try {
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "mstflint " + String.join(" ", args) + " did not finish in " + timeoutSeconds + " s");
      }
      return new Result(process.exitValue(), out.get(), err.get());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running mstflint", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot read mstflint output", e.getCause());
    }
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
