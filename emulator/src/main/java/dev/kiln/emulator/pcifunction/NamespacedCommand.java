package dev.kiln.emulator.pcifunction;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command running in a private mount namespace in which an {@link EmulatedPciFunction}'s fake
 * devices directory is bound over {@code /sys/bus/pci/devices}, so that every tool that opens a
 * PCI function by address (mstflint, Kiln's own {@code pci:} transport) finds the emulated one
 * there and nothing else.
 *
 * <p>How: util-linux {@code unshare --mount --propagation private} starts {@code /bin/sh}, which
 * bind-mounts the FUSE directory over {@code /sys/bus/pci/devices}, leaves a marker file, and
 * {@code exec}s the command (the arguments are passed as positional parameters, never parsed by
 * the shell). The process this class waits for is therefore the command itself: its exit code,
 * or 128+N when signal N ends it. Private propagation keeps the bind out of every other
 * namespace. Once the marker exists the mount is detached from the JVM's own namespace ({@link
 * EmulatedPciFunction#detachFromThisNamespace}), so if the JVM is killed outright nothing stays
 * mounted anywhere once the command ends: the child's namespace held the last copy.
 *
 * <p>Standard input, output and error go where the caller says (inherited by {@code kiln device
 * exec}); the environment is kept.
 */
public final class NamespacedCommand {
  /** Where the fake directory goes inside the namespace. */
  public static final String SYSFS_PCI_DEVICES = "/sys/bus/pci/devices";

  /** Exit code of the set-up shell when the bind mount fails (never reported as the command's). */
  private static final int SETUP_FAILED = 125;

  private static final long SETUP_TIMEOUT_MILLIS = 30_000;

  // $1 the FUSE directory, $2 the marker, $3 where mount's complaint goes; then the command.
  private static final String SETUP_SCRIPT =
      "mount --bind \"$1\" " + SYSFS_PCI_DEVICES + " 2>\"$3\" || exit " + SETUP_FAILED + "\n"
          + ": >\"$2\"\n"
          + "shift 3\n"
          + "exec \"$@\"\n";

  private final Process process;

  private NamespacedCommand(Process process) {
    this.process = process;
  }

  /**
   * Starts {@code command} in a private namespace that sees {@code function} as its only PCI
   * function, and returns once the namespace is set up.
   *
   * @throws IOException when {@code unshare} cannot be started or the namespace cannot be set up
   *     (the message says why, in one line)
   */
  public static NamespacedCommand start(
      EmulatedPciFunction function,
      List<String> command,
      ProcessBuilder.Redirect input,
      ProcessBuilder.Redirect output,
      ProcessBuilder.Redirect error)
      throws IOException, InterruptedException {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("no command to run");
    }
    Path marker = function.privateDirectory().resolve("namespace-ready");
    Path setupErrors = function.privateDirectory().resolve("namespace-setup.err");
    List<String> argv = new ArrayList<>();
    argv.addAll(List.of("unshare", "--mount", "--propagation", "private", "--"));
    argv.addAll(List.of("/bin/sh", "-c", SETUP_SCRIPT, "kiln-device-exec"));
    argv.add(function.devicesDirectory().toString());
    argv.add(marker.toString());
    argv.add(setupErrors.toString());
    argv.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(argv);
    builder.redirectInput(input).redirectOutput(output).redirectError(error);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IOException("cannot start unshare (util-linux): " + e.getMessage(), e);
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETUP_TIMEOUT_MILLIS);
    while (!Files.exists(marker)) {
      if (!process.isAlive()) {
        throw new IOException(setupFailure(process.exitValue(), setupErrors));
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IOException(
            "the private mount namespace was not ready after " + SETUP_TIMEOUT_MILLIS / 1000
                + " s");
      }
      Thread.sleep(2);
    }
    function.detachFromThisNamespace();
    return new NamespacedCommand(process);
  }

  private static String setupFailure(int exitCode, Path setupErrors) {
    String reason = "";
    try {
      if (Files.exists(setupErrors)) {
        reason = Files.readString(setupErrors, StandardCharsets.UTF_8).strip();
      }
    } catch (IOException e) {
      reason = "";
    }
    if (exitCode == SETUP_FAILED) {
      return "cannot bind the emulated function over " + SYSFS_PCI_DEVICES
          + " in a private mount namespace" + (reason.isEmpty() ? "" : ": " + firstLine(reason));
    }
    return "cannot create a private mount namespace (unshare exited with " + exitCode + ")";
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  /** The command's process id. */
  public long pid() {
    return process.pid();
  }

  /** Waits for the command; its exit code, 128+N when signal N ended it. */
  public int waitFor() throws InterruptedException {
    return process.waitFor();
  }

  /** Waits at most {@code timeout}; whether the command has ended. */
  public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
    return process.waitFor(timeout, unit);
  }

  /** Whether the command still runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Sends signal {@code name} ({@code INT}, {@code TERM}, ...) to the command, through {@code
   * kill(1)}: the JDK only sends TERM and KILL.
   */
  public void signal(String name) {
    if (!process.isAlive()) {
      return;
    }
    try {
      new ProcessBuilder("kill", "-s", name, Long.toString(process.pid()))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      process.destroy();
    }
  }

  /** Ends the command at once (SIGKILL). */
  public void kill() {
    process.destroyForcibly();
  }
}
