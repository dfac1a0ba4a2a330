package dev.kiln.pipeline.cli;

import dev.kiln.burner.DeviceException;
import dev.kiln.burner.SecureDevice;
import dev.kiln.registers.Mgir;
import dev.kiln.registers.TransportException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The flint commands a secure-FW device blocks (protocol doc §7): raw flash read/write/erase, ROM
 * burn/remove, set MFG/VSD/VPD and the flash-gateway override. They exist in kiln so that an
 * operator who reaches for them gets the secure-FW explanation, not a protocol error: each asks the
 * device (MGIR) whether it runs secure firmware and fails with flint's message and the mechanism
 * the firmware blocks. On a non-secure device they fail too, because kiln drives only the
 * controlled update path. Exit code 5 either way.
 *
 * <p>All of them behave alike, so they are one table ({@link Kind}) and one command class whose
 * picocli model is built from a table row; {@link DeviceCommand} adds them as its subcommands.
 */
public final class BlockedCommands {
  private BlockedCommands() {}

  /** One blocked command: its name and arguments as flint has them, and what to say. */
  enum Kind {
    FLASH_READ("flash-read", "Raw flash read", "0..2", "ADDR SIZE",
        "Flash read failed", "FW-mediated raw flash access (MFBA)"),
    FLASH_WRITE("flash-write", "Raw flash write", "0..2", "ADDR DATA",
        "write Block Failed", "FW-mediated raw flash access (MFBA)"),
    FLASH_ERASE("flash-erase", "Raw flash erase", "0..1", "ADDR",
        "Flash erase failed", "FW-mediated flash erase (MFBE)"),
    ROM_BURN("rom-burn", "Burn an expansion ROM", "0..1", "ROM",
        "Burn ROM failed", "BOOT image modification (MFBA)"),
    ROM_REMOVE("rom-remove", "Remove the expansion ROM", null, null,
        "Remove ROM failed", "BOOT image modification (MFBA)"),
    SET_MFG("set-mfg", "Set manufacturing GUIDs", "0..*", "GUID",
        "Failed to set manufacture guids", "device-data writes (MFBA)"),
    SET_VSD("set-vsd", "Set the VSD string", "0..1", "VSD",
        "Failed to set the VSD", "device-data writes (MFBA)"),
    SET_VPD("set-vpd", "Set the VPD", "0..1", "VPD_FILE",
        "Failed to set VPD", "device-data writes (MFBA)"),
    FLASH_GATEWAY("flash-gateway", "Direct flash-gateway access, flint's -ocr", "0..*", "ARGS",
        "Override cache replacement failed", "the direct flash gateway (HW SET / -ocr)");

    final String commandName;
    final String summary;
    /** Arity of the ignored positional arguments, or null when the command takes none. */
    final String arity;
    final String paramLabel;
    /** flint's failure prefix, e.g. "Burn ROM failed". */
    final String failure;
    /** What secure FW blocks, e.g. "FW-mediated flash access (MFBA)". */
    final String mechanism;

    Kind(String commandName, String summary, String arity, String paramLabel, String failure,
        String mechanism) {
      this.commandName = commandName;
      this.summary = summary;
      this.arity = arity;
      this.paramLabel = paramLabel;
      this.failure = failure;
      this.mechanism = mechanism;
    }
  }

  /** Adds every blocked command to {@code device}, the {@code kiln device} command line. */
  static void addTo(CommandLine device) {
    for (Kind kind : Kind.values()) {
      device.addSubcommand(kind.commandName, new CommandLine(spec(kind)));
    }
  }

  /** The picocli model of one blocked command: the shared options plus the row's arguments. */
  static CommandSpec spec(Kind kind) {
    CommandSpec spec = CommandSpec.forAnnotatedObject(new Blocked(kind));
    spec.name(kind.commandName);
    spec.usageMessage().description(kind.summary + " (blocked on secure FW).");
    if (kind.arity != null) {
      // flint's arguments are accepted (so the command reaches the device) and ignored.
      spec.addPositional(
          PositionalParamSpec.builder()
              .arity(kind.arity)
              .paramLabel(kind.paramLabel)
              .type(List.class)
              .auxiliaryTypes(String.class)
              .build());
    }
    return spec;
  }

  /** Queries the device, then refuses with the right words. */
  @Command(mixinStandardHelpOptions = true)
  static final class Blocked implements Callable<Integer> {
    @Mixin DeviceOptions device;

    private final Kind kind;

    Blocked(Kind kind) {
      this.kind = kind;
    }

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
                device.uri().text(), kind.failure, kind.mechanism));
      }
      throw new CommandFailure(
          ExitCodes.DEVICE,
          String.format(
              "%s: %s: kiln drives only the controlled (MCC) update path; %s is not"
                  + " implemented",
              device.uri().text(), kind.failure, kind.mechanism));
    }
  }
}
