package dev.kiln.pipeline.cli;

import dev.kiln.burner.DeviceException;
import dev.kiln.burner.DeviceInfo;
import dev.kiln.burner.SecureDevice;
import dev.kiln.registers.TransportException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code kiln device reactivate --device DEV}: image reactivation through MIRC (protocol doc
 * §4.3): the previous image becomes the boot image again and a pending update is dropped.
 */
@Command(
    name = "reactivate",
    mixinStandardHelpOptions = true,
    description = "Reactivate the previous flash image (MIRC), dropping a pending update.")
public final class DeviceReactivateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DeviceOptions device;

  @Override
  public Integer call() throws DeviceException, TransportException {
    PrintWriter out = spec.commandLine().getOut();
    try (SecureDevice session = device.open()) {
      session.reactivate();
      DeviceInfo info = session.query();
      out.println("-I- FW Image Reactivation succeeded. FW version on flash: "
          + info.flashVersion());
    }
    return ExitCodes.OK;
  }
}
