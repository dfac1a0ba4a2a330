package dev.kiln.emulator.pcifunction;

import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.testkit.Mstflint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test helper (emulator test-jar, shared with the burner's and the CLI's tests): runs mstflint, or
 * any command, against an emulated device directory served as a PCI function in this JVM, exactly
 * as {@code kiln device exec DIR [--bdf BDF] -- COMMAND} does (same {@link EmulatedPciFunction},
 * same {@link NamespacedCommand}), and captures what the command printed.
 *
 * <pre>{@code
 * Mstflint.Result query = EmulatedPciExec.mstflint(deviceDir, "query");
 * assertEquals("MT_0000000436", query.field("PSID"));
 * Mstflint.Result any = EmulatedPciExec.run(deviceDir, "0000:05:00.0", List.of("sh", "-c", "..."));
 * }</pre>
 *
 * <p>Needs root, /dev/fuse and util-linux {@code unshare}; when they are missing it throws (tests
 * that need the emulated function fail, never skip). The device directory must not be open
 * elsewhere in this JVM or another process (the emulator's directory lock). Every run powers the
 * device on for the length of the command, so one run's burn is pending within that run only;
 * chain several mstflint calls in one {@code sh -c} to see the pending state.
 */
public final class EmulatedPciExec {
  /** The default PCI address, {@code 0000:03:00.0}. */
  public static final String BDF = EmulatedPciFunction.DEFAULT_BDF;

  /** How long one command may run before it is killed. */
  public static final long TIMEOUT_SECONDS = 60;

  private EmulatedPciExec() {}

  /** {@code mstflint -d 0000:03:00.0 ARGS...} against {@code deviceDir}. */
  public static Mstflint.Result mstflint(Path deviceDir, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Mstflint.require().binary().toString());
    command.add("-d");
    command.add(BDF);
    command.addAll(List.of(args));
    return run(deviceDir, BDF, command);
  }

  /**
   * Runs {@code command} (with {@code LC_ALL=C}, standard input from /dev/null) in a private
   * namespace in which {@code deviceDir} is the PCI function {@code bdf}.
   *
   * @throws IllegalStateException when the machine cannot serve the function, the device cannot
   *     be powered on, or the command runs longer than {@value #TIMEOUT_SECONDS} s
   */
  public static Mstflint.Result run(Path deviceDir, String bdf, List<String> command) {
    return run(deviceDir, bdf, command, EmulatedDevice.Options.defaults());
  }

  /** As {@link #run(Path, String, List)}, the device powered on with {@code options}. */
  public static Mstflint.Result run(
      Path deviceDir, String bdf, List<String> command, EmulatedDevice.Options options) {
    ExecPrerequisites.problem()
        .ifPresent(
            problem -> {
              throw new IllegalStateException("cannot serve an emulated PCI function: " + problem);
            });
    Path output = null;
    Path errors = null;
    try {
      output = Files.createTempFile("kiln-pci-exec-", ".out");
      errors = Files.createTempFile("kiln-pci-exec-", ".err");
      List<String> withLocale = new ArrayList<>(List.of("env", "LC_ALL=C"));
      withLocale.addAll(command);
      try (EmulatedPciFunction function = EmulatedPciFunction.start(deviceDir, bdf, options)) {
        NamespacedCommand child =
            NamespacedCommand.start(
                function,
                withLocale,
                ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()),
                ProcessBuilder.Redirect.to(output.toFile()),
                ProcessBuilder.Redirect.to(errors.toFile()));
        int exitCode = waitFor(child, command);
        return new Mstflint.Result(
            exitCode,
            Files.readString(output, StandardCharsets.UTF_8),
            Files.readString(errors, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command + " on the emulated function", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    } finally {
      deleteQuietly(output);
      deleteQuietly(errors);
    }
  }

  private static int waitFor(NamespacedCommand child, List<String> command)
      throws InterruptedException {
    if (!child.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      child.kill();
      child.waitFor();
      throw new IllegalStateException(
          command + " did not finish in " + TIMEOUT_SECONDS + " s on the emulated function");
    }
    return child.waitFor();
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // A temporary file left behind is harmless.
      }
    }
  }
}
