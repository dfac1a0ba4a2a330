package dev.kiln.inspector.section;

import java.util.Locale;
import java.util.Optional;

/**
 * Adapters whose FS4 images Kiln builds and reads, with the HW device id that IMAGE_INFO's
 * supported_hw_id[0] carries (mstflint's device table, {@code dev_mgt/tools_dev_types.c}) and the
 * PCI device id of the NIC function. mstflint refuses an image whose supported_hw_id[0] is not a
 * device it knows (fs4-format.md §11, §17 #19).
 *
 * <p>The CLI name ({@code cx6dx}) is what descriptions and command options use.
 */
public enum DeviceType {
  CX4("cx4", "ConnectX-4", 0x209, 0x1013),
  CX4LX("cx4lx", "ConnectX-4 Lx", 0x20B, 0x1015),
  CX5("cx5", "ConnectX-5", 0x20D, 0x1017),
  CX6("cx6", "ConnectX-6", 0x20F, 0x101B),
  CX6DX("cx6dx", "ConnectX-6 Dx", 0x212, 0x101D),
  CX6LX("cx6lx", "ConnectX-6 Lx", 0x216, 0x101F),
  CX7("cx7", "ConnectX-7", 0x218, 0x1021),
  CX8("cx8", "ConnectX-8", 0x21E, 0x1023),
  BLUEFIELD("bf", "BlueField", 0x211, 0xA2D2),
  BLUEFIELD2("bf2", "BlueField-2", 0x214, 0xA2D6),
  BLUEFIELD3("bf3", "BlueField-3", 0x21C, 0xA2DC);

  /** Mellanox/NVIDIA networking PCI vendor id. */
  public static final int PCI_VENDOR_ID = 0x15B3;

  private final String cliName;
  private final String displayName;
  private final int hwId;
  private final int pciDeviceId;

  DeviceType(String cliName, String displayName, int hwId, int pciDeviceId) {
    this.cliName = cliName;
    this.displayName = displayName;
    this.hwId = hwId;
    this.pciDeviceId = pciDeviceId;
  }

  /** Short name used on the command line and in descriptions, e.g. {@code cx6dx}. */
  public String cliName() {
    return cliName;
  }

  /** Marketing name, e.g. {@code ConnectX-6 Dx}. */
  public String displayName() {
    return displayName;
  }

  /** HW device id (IMAGE_INFO supported_hw_id[0]). */
  public int hwId() {
    return hwId;
  }

  /** PCI device id of the adapter's first function. */
  public int pciDeviceId() {
    return pciDeviceId;
  }

  /**
   * True when mstflint signs images with a hashes table (secure boot v2) for this chip; on other
   * chips v2 signing fails for want of a boot-record size (fs4-format.md §7, §16.2).
   */
  public boolean supportsHashesTable() {
    return this == CX7 || this == CX8;
  }

  /**
   * True for the adapters whose firmware comes as FS3 images (ConnectX-4, ConnectX-4 Lx;
   * fs4-format.md §18). Kiln builds FS4 images for them too when asked.
   */
  public boolean supportsFs3() {
    return this == CX4 || this == CX4LX;
  }

  /**
   * The format of the adapter's own firmware: FS3 for ConnectX-4 and ConnectX-4 Lx, FS4 from
   * ConnectX-5 on (mstflint 4.21 mlxfwops/lib/fw_ops.cpp, {@code GetFwFormatFromHwDevID}). A
   * device (the emulator) boots and accepts only images of this format.
   */
  public dev.kiln.inspector.ImageFormat nativeFormat() {
    return supportsFs3() ? dev.kiln.inspector.ImageFormat.FS3 : dev.kiln.inspector.ImageFormat.FS4;
  }

  /** The device with CLI name {@code name} (case-insensitive; {@code cx6-dx} style also works). */
  public static Optional<DeviceType> byCliName(String name) {
    String wanted = name.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    for (DeviceType type : values()) {
      if (type.cliName.equals(wanted)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }

  /** The device whose HW id is the low 16 bits of {@code hwId}. */
  public static Optional<DeviceType> byHwId(int hwId) {
    for (DeviceType type : values()) {
      if (type.hwId == (hwId & 0xFFFF)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }

  /** The CLI names, comma separated, for error messages. */
  public static String cliNames() {
    StringBuilder names = new StringBuilder();
    for (DeviceType type : values()) {
      names.append(names.length() == 0 ? "" : ", ").append(type.cliName);
    }
    return names.toString();
  }
}
