package dev.kiln.pipeline.cli;

import dev.kiln.burner.DeviceException;
import dev.kiln.burner.SecureDevice;
import dev.kiln.registers.Mgir;
import dev.kiln.registers.TransportException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * The flint commands a secure-FW device blocks (protocol doc §7): raw flash read/write/erase, ROM
 * burn/remove, set MFG/VSD/VPD and the flash-gateway override. They exist in kiln so that an
 * operator who reaches for them gets the secure-FW explanation, not a protocol error: each asks the
 * device (MGIR) whether it runs secure firmware and fails with flint's message and the mechanism
 * the firmware blocks. On a non-secure device they fail too, because kiln drives only the
 * controlled update path. Exit code 5 either way.
 */
public final class BlockedCommands {
  private BlockedCommands() {}

  /** Every blocked command, for {@code kiln device}'s subcommand list. */
  public static List<Object> all() {
    return List.of(
        new FlashRead(),
        new FlashWrite(),
        new FlashErase(),
        new RomBurn(),
        new RomRemove(),
        new SetMfg(),
        new SetVsd(),
        new SetVpd(),
        new FlashGateway());
  }

  /** Shared behaviour: query the device, then refuse with the right words. */
  abstract static class Blocked implements Callable<Integer> {
    @Mixin DeviceOptions device;

    /** flint's failure prefix, e.g. "Burn ROM failed". */
    abstract String failure();

    /** What secure FW blocks, e.g. "FW-mediated flash access (MFBA)". */
    abstract String mechanism();

    @Override
    public Integer call() throws DeviceException, TransportException {
      Mgir mgir;
      try (SecureDevice session = device.open()) {
        mgir = session.generalInfo();
      }
      if (mgir.secured()) {
        throw new CommandFailure(
            ExitCodes.DEVICE,
            String.format(
                "%s: %s: Unsupported operation under Secure FW (the device runs secure firmware,"
                    + " which blocks %s; only burn, query, verify and set-guids work, through the"
                    + " controlled update path)",
                device.uri().text(), failure(), mechanism()));
      }
      throw new CommandFailure(
          ExitCodes.DEVICE,
          String.format(
              "%s: %s: kiln drives only the controlled (MCC) update path; %s is not"
                  + " implemented",
              device.uri().text(), failure(), mechanism()));
    }
  }

  @Command(name = "flash-read", description = "Raw flash read (blocked on secure FW).")
  static final class FlashRead extends Blocked {
    @Parameters(arity = "0..2", paramLabel = "ADDR SIZE") List<String> args;

    String failure() {
      return "Flash read failed";
    }

    String mechanism() {
      return "FW-mediated raw flash access (MFBA)";
    }
  }

  @Command(name = "flash-write", description = "Raw flash write (blocked on secure FW).")
  static final class FlashWrite extends Blocked {
    @Parameters(arity = "0..2", paramLabel = "ADDR DATA") List<String> args;

    String failure() {
      return "write Block Failed";
    }

    String mechanism() {
      return "FW-mediated raw flash access (MFBA)";
    }
  }

  @Command(name = "flash-erase", description = "Raw flash erase (blocked on secure FW).")
  static final class FlashErase extends Blocked {
    @Parameters(arity = "0..1", paramLabel = "ADDR") List<String> args;

    String failure() {
      return "Flash erase failed";
    }

    String mechanism() {
      return "FW-mediated flash erase (MFBE)";
    }
  }

  @Command(name = "rom-burn", description = "Burn an expansion ROM (blocked on secure FW).")
  static final class RomBurn extends Blocked {
    @Parameters(arity = "0..1", paramLabel = "ROM") List<String> args;

    String failure() {
      return "Burn ROM failed";
    }

    String mechanism() {
      return "BOOT image modification (MFBA)";
    }
  }

  @Command(name = "rom-remove", description = "Remove the expansion ROM (blocked on secure FW).")
  static final class RomRemove extends Blocked {
    String failure() {
      return "Remove ROM failed";
    }

    String mechanism() {
      return "BOOT image modification (MFBA)";
    }
  }

  @Command(name = "set-mfg", description = "Set manufacturing GUIDs (blocked on secure FW).")
  static final class SetMfg extends Blocked {
    @Parameters(arity = "0..*", paramLabel = "GUID") List<String> args;

    String failure() {
      return "Failed to set manufacture guids";
    }

    String mechanism() {
      return "device-data writes (MFBA)";
    }
  }

  @Command(name = "set-vsd", description = "Set the VSD string (blocked on secure FW).")
  static final class SetVsd extends Blocked {
    @Parameters(arity = "0..1", paramLabel = "VSD") List<String> args;

    String failure() {
      return "Failed to set the VSD";
    }

    String mechanism() {
      return "device-data writes (MFBA)";
    }
  }

  @Command(name = "set-vpd", description = "Set the VPD (blocked on secure FW).")
  static final class SetVpd extends Blocked {
    @Parameters(arity = "0..1", paramLabel = "VPD_FILE") List<String> args;

    String failure() {
      return "Failed to set VPD";
    }

    String mechanism() {
      return "device-data writes (MFBA)";
    }
  }

  @Command(
      name = "flash-gateway",
      description = "Direct flash-gateway access, flint's -ocr (blocked on secure FW).")
  static final class FlashGateway extends Blocked {
    @Parameters(arity = "0..*", paramLabel = "ARGS") List<String> args;

    String failure() {
      return "Override cache replacement failed";
    }

    String mechanism() {
      return "the direct flash gateway (HW SET / -ocr)";
    }
  }
}
