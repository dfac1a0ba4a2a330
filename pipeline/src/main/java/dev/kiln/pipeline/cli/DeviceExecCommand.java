package dev.kiln.pipeline.cli;

import dev.kiln.burner.pci.SysfsConfigSpace;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.emulator.pcifunction.EmulatedPciFunction;
import dev.kiln.emulator.pcifunction.ExecPrerequisites;
import dev.kiln.emulator.pcifunction.NamespacedCommand;
import dev.kiln.emulator.pcifunction.fuse.FuseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kiln device exec DIR [--bdf BDF] [--flash-not-present] -- COMMAND [ARGS...]}: runs
 * COMMAND in a private mount namespace in which the emulated device DIR is the PCI function BDF
 * (default 0000:03:00.0), so that the unmodified mstflint ({@code mstflint -d 0000:03:00.0
 * query}) and Kiln's own {@code pci:} transport drive it as they would a real adapter. Exits with COMMAND's exit code (128+N
 * when signal N ends it); SIGINT and SIGTERM received by kiln are passed on to COMMAND.
 *
 * <p>The device is powered on for the whole run (as {@code kiln device serve}): what one mstflint
 * burn leaves pending stays pending for the next command in the same run. Needs /dev/fuse and
 * CAP_SYS_ADMIN; without them, one line and exit 5. See docs/emulator.md, "Running mstflint
 * against an emulated device"; {@code --flash-not-present} powers it on in flash recovery, where
 * mstflint reaches the flash directly ("Recovering a livefish device with mstflint").
 */
@Command(
    name = "exec",
    mixinStandardHelpOptions = true,
    description = {
      "Run a command that sees an emulated device as a PCI function.",
      "In a private mount namespace, COMMAND sees DIR's device in /sys/bus/pci/devices",
      "as BDF (config served through FUSE); kiln exits with COMMAND's exit code."
    })
public final class DeviceExecCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "DIR", description = "Device directory (kiln device init).")
  Path dir;

  @Parameters(
      index = "1..*",
      arity = "1..*",
      paramLabel = "COMMAND",
      description = "The command and its arguments, after '--'.")
  List<String> command;

  @Option(
      names = "--bdf",
      paramLabel = "BDF",
      defaultValue = EmulatedPciFunction.DEFAULT_BDF,
      description = "The function's PCI address (default ${DEFAULT-VALUE}).")
  String bdf;

  @Option(
      names = "--flash-not-present",
      description =
          "Power the device on as with the flash-not-present jumper: flash recovery (livefish),"
              + " its flash reachable through the CR-space flash gateway (mstflint burns there).")
  boolean flashNotPresent;

  @Override
  public Integer call() throws InterruptedException {
    if (!SysfsConfigSpace.BDF.matcher(bdf).matches()) {
      throw new CommandFailure(
          ExitCodes.USAGE,
          "--bdf " + bdf + " is not a PCI address; expected domain:bus:device.function,"
              + " e.g. 0000:03:00.0");
    }
    // sysfs names functions in lower case, and mstflint builds the path with %x.
    String address = bdf.toLowerCase(Locale.ROOT);
    if (!Files.isDirectory(dir)) {
      throw new CommandFailure(
          ExitCodes.DEVICE,
          "emu:" + dir + ": no such device directory (create one with 'kiln device init')");
    }
    Optional<String> problem = ExecPrerequisites.problem();
    if (problem.isPresent()) {
      throw new CommandFailure(ExitCodes.DEVICE, "device exec: " + problem.get());
    }
    EmulatedPciFunction function;
    try {
      function =
          EmulatedPciFunction.start(
              dir,
              address,
              EmulatedDevice.Options.defaults().withFlashNotPresent(flashNotPresent));
    } catch (FuseException e) {
      throw new CommandFailure(
          ExitCodes.DEVICE, "device exec: cannot serve the emulated PCI function: "
              + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new CommandFailure(
          ExitCodes.DEVICE,
          "emu:" + dir + ": cannot power on the emulated device: " + e.getMessage(), e);
    }
    AtomicReference<NamespacedCommand> running = new AtomicReference<>();
    // If the JVM is stopped some other way (SIGHUP, System.exit elsewhere), still clean up.
    Thread cleanup =
        new Thread(
            () -> {
              NamespacedCommand child = running.get();
              if (child != null) {
                child.kill();
              }
              function.close();
            },
            "kiln-device-exec-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    // A signal that arrives before the command is known is kept and delivered once it is:
    // the command may already be running (and printing) before start() returns.
    Object signalLock = new Object();
    String[] pendingSignal = new String[1];
    SignalForwarder signals =
        SignalForwarder.install(
            name -> {
              NamespacedCommand child;
              synchronized (signalLock) {
                child = running.get();
                if (child == null) {
                  pendingSignal[0] = name;
                  return;
                }
              }
              child.signal(name);
            });
    try {
      NamespacedCommand child;
      try {
        child =
            NamespacedCommand.start(
                function,
                command,
                ProcessBuilder.Redirect.INHERIT,
                ProcessBuilder.Redirect.INHERIT,
                ProcessBuilder.Redirect.INHERIT);
      } catch (IOException e) {
        throw new CommandFailure(ExitCodes.DEVICE, "device exec: " + e.getMessage(), e);
      }
      String pending;
      synchronized (signalLock) {
        running.set(child);
        pending = pendingSignal[0];
      }
      if (pending != null) {
        child.signal(pending);
      }
      return child.waitFor();
    } finally {
      signals.close();
      NamespacedCommand child = running.get();
      if (child != null && child.isAlive()) {
        child.kill();
      }
      function.close();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook runs and finds everything closed.
      }
    }
  }
}
