package dev.kiln.pipeline.cli;

import dev.kiln.burner.DeviceException;
import dev.kiln.burner.SecureDevice;
import dev.kiln.registers.TransportException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code kiln device set-key --device DEV (--key-file F | --key-env V)}: sets the HW access key
 * and disables host access with it (MLOCK operation 1, protocol doc §6.2), as flint's set_key.
 */
@Command(
    name = "set-key",
    mixinStandardHelpOptions = true,
    description = "Set the HW access key (and disable host access with it).")
public final class DeviceSetKeyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DeviceOptions device;

  @Mixin HwAccessKeys key;

  @Override
  public Integer call() throws DeviceException, TransportException {
    PrintWriter out = spec.commandLine().getOut();
    long value = key.key();
    try (SecureDevice session = device.open()) {
      if (session.hwAccessLocked()) {
        out.println("-I- HW access already disabled");
        return ExitCodes.OK;
      }
      session.hwAccess(true, value);
      out.println("-I- Secure Host was enabled successfully on the device.");
    }
    return ExitCodes.OK;
  }
}
