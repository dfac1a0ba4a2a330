package dev.kiln.burner;

import java.util.Map;

/** Display names of the HW device ids a query reports (MGIR hw_dev_id). */
public final class DeviceNames {
  private DeviceNames() {}

  private static final Map<Integer, String> NAMES =
      Map.ofEntries(
          Map.entry(0x209, "ConnectX-4"),
          Map.entry(0x20B, "ConnectX-4 Lx"),
          Map.entry(0x20D, "ConnectX-5"),
          Map.entry(0x20F, "ConnectX-6"),
          Map.entry(0x211, "BlueField"),
          Map.entry(0x212, "ConnectX-6 Dx"),
          Map.entry(0x214, "BlueField-2"),
          Map.entry(0x216, "ConnectX-6 Lx"),
          Map.entry(0x218, "ConnectX-7"),
          Map.entry(0x21C, "BlueField-3"),
          Map.entry(0x21E, "ConnectX-8"));

  /** The name of a HW device id, or {@code unknown device 0x...}. */
  public static String of(int hwDeviceId) {
    String name = NAMES.get(hwDeviceId);
    return name != null ? name : String.format("unknown device 0x%x", hwDeviceId);
  }
}
