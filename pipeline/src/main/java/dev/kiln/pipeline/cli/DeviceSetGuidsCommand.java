package dev.kiln.pipeline.cli;

import dev.kiln.burner.DeviceException;
import dev.kiln.burner.SecureDevice;
import dev.kiln.registers.TransportException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kiln device set-guids --device DEV [--guid GUID] [--mac MAC]}: sets the base GUID and MAC
 * through the firmware, as flint's {@code sg} does on a controlled-update device (an MNVDA SET of
 * NV_BASE_MAC_GUID; no raw flash write). A value not given keeps the device's current one.
 */
@Command(
    name = "set-guids",
    mixinStandardHelpOptions = true,
    description = "Set the base GUID and/or MAC through the firmware (flint's sg).")
public final class DeviceSetGuidsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DeviceOptions device;

  @Option(names = "--guid", paramLabel = "GUID", description = "Base GUID, 16 hex digits.")
  String guid;

  @Option(names = "--mac", paramLabel = "MAC", description = "Base MAC, 12 hex digits.")
  String mac;

  @Override
  public Integer call() throws DeviceException, TransportException {
    PrintWriter out = spec.commandLine().getOut();
    if (guid == null && mac == null) {
      throw new CommandFailure(ExitCodes.USAGE, "base GUID/MAC were not specified (--guid, --mac)");
    }
    Long newGuid = guid == null ? null : parse(guid, 16, "GUID");
    Long newMac = mac == null ? null : parse(mac, 12, "MAC");
    if (newMac != null && (newMac & (1L << 40)) != 0) {
      throw new CommandFailure(
          ExitCodes.USAGE, "Bad MAC " + mac + ": a multicast address cannot be a base MAC");
    }
    try (SecureDevice session = device.open()) {
      session.checkSupported();
      if (newGuid == null || newMac == null) {
        Optional<long[]> current = session.baseMacGuid();
        if (current.isEmpty()) {
          throw new DeviceException(
              device.uri().text() + ": the device does not report its current base GUID/MAC;"
                  + " give both --guid and --mac");
        }
        newMac = newMac == null ? current.get()[0] : newMac;
        newGuid = newGuid == null ? current.get()[1] : newGuid;
      }
      session.setBaseMacGuid(newMac, newGuid);
      out.println(
          String.format(
              Locale.ROOT,
              "-I- Base GUID %016x and base MAC %012x set; they take effect after a reset.",
              newGuid, newMac));
    }
    return ExitCodes.OK;
  }

  private static long parse(String text, int digits, String what) {
    String hex = text.trim().replace(":", "");
    if (hex.startsWith("0x") || hex.startsWith("0X")) {
      hex = hex.substring(2);
    }
    if (hex.isEmpty() || hex.length() > digits
        || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new CommandFailure(
          ExitCodes.USAGE, "Bad " + what + " " + text + ": expected up to " + digits
              + " hex digits");
    }
    return Long.parseUnsignedLong(hex, 16);
  }
}
