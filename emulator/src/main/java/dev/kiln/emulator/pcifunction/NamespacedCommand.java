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
 * <p>The namespace also gets its own {@value #MSTFLINT_LOCK_DIRECTORY} (a directory of the
 * function's, bound over it). mstflint serializes its config-space accesses to a function with an
 * {@code flock} on {@code /tmp/mstflint_lockfiles/<domain:bus:dev.fn>_config}, taken without
 * blocking and given up after 4096 tries with {@code failed to perform lock operation.: Resource
 * temporarily unavailable} (mstflint 4.21 {@code mtcr_ul/mtcr_ul_com.c}: {@code _flock_int},
 * {@code MAX_RETRY_CNT}, {@code _create_lock}, the {@code READ4_PCI}/{@code WRITE4_PCI} macros;
 * the directory is {@code LOCK_FILE_DIR} in {@code include/mtcr_ul/mtcr_com_defs.h}). On a real
 * host one address is one adapter, so the lock guards one VSEC gateway. Emulated functions of
 * different runs all have the address {@code 0000:03:00.0} by default but are different devices,
 * each with its own gateway: with the host's directory, an mstflint of one run waits for, and
 * when the other's FUSE round trips are slow gives up on, a lock another run's mstflint holds,
 * and its burn ends half-way in a failed gateway read ({@code read flag}, reported as {@code
 * ME_ICMD_STATUS_CR_FAIL}). Commands on the same function still share one lock directory.
 *
 * <p>Standard input, output and error go where the caller says (inherited by {@code kiln device
 * exec}); the environment is kept.
 */
public final class NamespacedCommand {
  /** Where the fake directory goes inside the namespace. */
  public static final String SYSFS_PCI_DEVICES = "/sys/bus/pci/devices";

  /** mstflint's lock-file directory, private to the namespace (see the class comment). */
  public static final String MSTFLINT_LOCK_DIRECTORY = "/tmp/mstflint_lockfiles";

  /** Exit code of the set-up shell when the bind mount fails (never reported as the command's). */
  private static final int SETUP_FAILED = 125;

  /** Exit code of the set-up shell when the lock directory cannot be made private. */
  private static final int LOCKS_FAILED = 124;

  private static final long SETUP_TIMEOUT_MILLIS = 30_000;

  // $1 the FUSE directory, $2 the marker, $3 where mount's complaint goes, $4 the function's own
  // lock directory; then the command. The host's lock directory is created as mstflint creates
  // it, and is only mounted over when it is a real directory of this user's: in the world-writable
  // /tmp nobody else can then swap it for a symbolic link to a directory the bind would hide.
  private static final String SETUP_SCRIPT =
      "mount --bind \"$1\" " + SYSFS_PCI_DEVICES + " 2>\"$3\" || exit " + SETUP_FAILED + "\n"
          + "locks=" + MSTFLINT_LOCK_DIRECTORY + "\n"
          + "[ -L \"$locks\" ] || mkdir -p \"$locks\" 2>\"$3\" || exit " + LOCKS_FAILED + "\n"
          + "if [ -L \"$locks\" ] || [ ! -d \"$locks\" ] || [ ! -O \"$locks\" ]; then\n"
          + "  echo \"$locks is not a directory of this user's\" >\"$3\"; exit " + LOCKS_FAILED
          + "\n"
          + "fi\n"
          + "mount --bind \"$4\" \"$locks\" 2>\"$3\" || exit " + LOCKS_FAILED + "\n"
          + ": >\"$2\"\n"
          + "shift 4\n"
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
    Path locks = Files.createDirectories(function.privateDirectory().resolve("mstflint-locks"));
    List<String> argv = new ArrayList<>();
    argv.addAll(List.of("unshare", "--mount", "--propagation", "private", "--"));
    argv.addAll(List.of("/bin/sh", "-c", SETUP_SCRIPT, "kiln-device-exec"));
    argv.add(function.devicesDirectory().toString());
    argv.add(marker.toString());
    argv.add(setupErrors.toString());
    argv.add(locks.toString());
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
    if (exitCode == LOCKS_FAILED) {
      return "cannot give the command its own " + MSTFLINT_LOCK_DIRECTORY
          + " in a private mount namespace" + (reason.isEmpty() ? "" : ": " + firstLine(reason));
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
