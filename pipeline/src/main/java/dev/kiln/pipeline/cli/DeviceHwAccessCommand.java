package dev.kiln.pipeline.cli;

import dev.kiln.burner.DeviceException;
import dev.kiln.burner.SecureDevice;
import dev.kiln.registers.TransportException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln device hw-access enable|disable --device DEV (--key-file F | --key-env V)}: turns
 * host access on or off with the HW access key (MLOCK, protocol doc §6.2), as flint's hw_access.
 */
@Command(
    name = "hw-access",
    mixinStandardHelpOptions = true,
    description = "Enable or disable host access to the device with the HW access key.")
public final class DeviceHwAccessCommand implements Callable<Integer> {
  /** The two actions. */
  enum Action {
    enable,
    disable
  }

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "enable|disable", description = "What to do.")
  Action action;

  @Mixin DeviceOptions device;

  @Mixin HwAccessKeys key;

  @Override
  public Integer call() throws DeviceException, TransportException {
    PrintWriter out = spec.commandLine().getOut();
    long value = key.key();
    try (SecureDevice session = device.open()) {
      boolean locked = session.hwAccessLocked();
      if (action == Action.enable) {
        if (!locked) {
          out.println("-I- HW access already enabled");
          return ExitCodes.OK;
        }
        session.hwAccess(false, value);
        out.println("-I- The Secure Host was disabled successfully on the device.");
      } else {
        if (locked) {
          out.println("-I- HW access already disabled");
          return ExitCodes.OK;
        }
        session.hwAccess(true, value);
        out.println("-I- Secure Host was enabled successfully on the device.");
      }
    }
    return ExitCodes.OK;
  }
}
