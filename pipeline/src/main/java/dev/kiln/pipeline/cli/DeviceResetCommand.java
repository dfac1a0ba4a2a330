package dev.kiln.pipeline.cli;

import dev.kiln.burner.DeviceException;
import dev.kiln.burner.DeviceInfo;
import dev.kiln.burner.SecureDevice;
import dev.kiln.registers.Mfrl;
import dev.kiln.registers.TransportException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code kiln device reset --device DEV}: a firmware reset through MFRL at the lowest supported
 * level (as mstfwreset), so that a pending image becomes the running one (protocol doc §4.2).
 */
@Command(
    name = "reset",
    mixinStandardHelpOptions = true,
    description = "Reset the device's firmware (MFRL) so a pending image starts running.")
public final class DeviceResetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DeviceOptions device;

  @Override
  public Integer call() throws DeviceException, TransportException {
    PrintWriter out = spec.commandLine().getOut();
    try (SecureDevice session = device.open()) {
      if (session.isLivefish()) {
        throw new DeviceException(
            device.uri().text() + ": reset is not supported for a device in Flash Recovery"
                + " (livefish) mode");
      }
      int level = session.reset();
      DeviceInfo info = session.query();
      out.println(
          "-I- FW was loaded successfully (reset level "
              + (level == Mfrl.LEVEL_0_LIVE_PATCH
                  ? 0
                  : level == Mfrl.LEVEL_3_DRIVER_RESTART ? 3 : 4)
              + "). Running version: " + info.runningVersion());
    }
    return ExitCodes.OK;
  }
}
