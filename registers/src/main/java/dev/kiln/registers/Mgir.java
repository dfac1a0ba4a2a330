package dev.kiln.registers;

import dev.kiln.registers.internal.Prm;

/**
 * MGIR, Management General Information Register (0x9020, 160 bytes): device identity, running FW
 * version and the secure-FW bits (protocol doc §1.6). The sw_info block (0x60-0x7F: driver and
 * expansion-ROM versions) is not modelled and encodes as zeros.
 *
 * <pre>
 * Field                                  Bits / bytes
 * hw_info
 *   device_id (PCI device id)            0x00.0-15
 *   device_hw_revision                   0x00.16-31
 *   hw_dev_id (livefish PCI id)          0x08.0-15
 *   manufacturing_base_mac_47_32         0x10.0-15
 *   manufacturing_base_mac_31_0          0x14
 *   uptime (seconds since reset)         0x1C
 * fw_info
 *   sub_minor / minor / major            0x20.0-7 / 0x20.8-15 / 0x20.16-23 (deprecated)
 *   secured                              0x20.24
 *   signed_fw                            0x20.25
 *   debug                                0x20.26
 *   dev                                  0x20.27
 *   build_id                             0x24
 *   year / day / month                   0x28.0-15 / 0x28.16-23 / 0x28.24-31
 *   hour                                 0x2C.0-15
 *   psid                                 0x30..0x3F (16 ASCII bytes)
 *   ini_file_version                     0x40
 *   extended_major / minor / sub_minor   0x44 / 0x48 / 0x4C
 *   life_cycle                           0x54.0-1 (0 PRODUCTION, 1 GA SECURED,
 *                                                  2 GA NON SECURED, 3 RMA)
 *   sec_boot                             0x54.2
 *   encryption                           0x54.3
 * dev_info
 *   dev_branch_tag                       0x80..0x9B (28 ASCII bytes)
 * </pre>
 */
public record Mgir(
    int deviceId,
    int deviceHwRevision,
    int hwDevId,
    long manufacturingBaseMac,
    long uptime,
    boolean secured,
    boolean signedFw,
    boolean debug,
    boolean dev,
    long buildId,
    int buildYear,
    int buildMonth,
    int buildDay,
    int buildHour,
    String psid,
    long iniFileVersion,
    long extendedMajor,
    long extendedMinor,
    long extendedSubMinor,
    int lifeCycle,
    boolean secBoot,
    boolean encryption,
    String devBranchTag) {

  public static final int SIZE = 0xA0;
  public static final int LIFE_CYCLE_PRODUCTION = 0;
  public static final int LIFE_CYCLE_GA_SECURED = 1;
  public static final int LIFE_CYCLE_GA_NON_SECURED = 2;
  public static final int LIFE_CYCLE_RMA = 3;

  public Mgir {
    Prm.checkField("device_id", deviceId, 16);
    Prm.checkField("device_hw_revision", deviceHwRevision, 16);
    Prm.checkField("hw_dev_id", hwDevId, 16);
    Prm.checkField("manufacturing_base_mac", manufacturingBaseMac, 48);
    Prm.checkField("uptime", uptime, 32);
    Prm.checkField("build_id", buildId, 32);
    Prm.checkField("year", buildYear, 16);
    Prm.checkField("month", buildMonth, 8);
    Prm.checkField("day", buildDay, 8);
    Prm.checkField("hour", buildHour, 16);
    Prm.checkField("ini_file_version", iniFileVersion, 32);
    Prm.checkField("extended_major", extendedMajor, 32);
    Prm.checkField("extended_minor", extendedMinor, 32);
    Prm.checkField("extended_sub_minor", extendedSubMinor, 32);
    Prm.checkField("life_cycle", lifeCycle, 2);
    if (psid == null || psid.length() > 16) {
      throw new IllegalArgumentException("PSID holds at most 16 characters");
    }
    if (devBranchTag == null || devBranchTag.length() > 28) {
      throw new IllegalArgumentException("dev_branch_tag holds at most 28 characters");
    }
  }

  /** {@code major.minor.subminor} from the extended version fields. */
  public String versionText() {
    return extendedMinor >= 100
        ? String.format("%d.%04d.%04d", extendedMajor, extendedMinor, extendedSubMinor)
        : String.format("%d.%d.%04d", extendedMajor, extendedMinor, extendedSubMinor);
  }

  /** Life-cycle name as flint prints it. */
  public String lifeCycleText() {
    return switch (lifeCycle) {
      case LIFE_CYCLE_PRODUCTION -> "PRODUCTION";
      case LIFE_CYCLE_GA_SECURED -> "GA SECURED";
      case LIFE_CYCLE_GA_NON_SECURED -> "GA NON SECURED";
      default -> "RMA";
    };
  }

  public static Mgir decode(byte[] reg) throws RegisterFormatException {
    Prm.requireLength("MGIR", reg, SIZE);
    return new Mgir(
        (int) Prm.get(reg, 0x00, 0, 16),
        (int) Prm.get(reg, 0x00, 16, 16),
        (int) Prm.get(reg, 0x08, 0, 16),
        (Prm.get(reg, 0x10, 0, 16) << 32) | Prm.u32(reg, 0x14),
        Prm.u32(reg, 0x1C),
        Prm.flag(reg, 0x20, 24),
        Prm.flag(reg, 0x20, 25),
        Prm.flag(reg, 0x20, 26),
        Prm.flag(reg, 0x20, 27),
        Prm.u32(reg, 0x24),
        (int) Prm.get(reg, 0x28, 0, 16),
        (int) Prm.get(reg, 0x28, 24, 8),
        (int) Prm.get(reg, 0x28, 16, 8),
        (int) Prm.get(reg, 0x2C, 0, 16),
        Prm.ascii(reg, 0x30, 16),
        Prm.u32(reg, 0x40),
        Prm.u32(reg, 0x44),
        Prm.u32(reg, 0x48),
        Prm.u32(reg, 0x4C),
        (int) Prm.get(reg, 0x54, 0, 2),
        Prm.flag(reg, 0x54, 2),
        Prm.flag(reg, 0x54, 3),
        Prm.ascii(reg, 0x80, 28));
  }

  /**
   * The {@link #SIZE}-byte payload. The deprecated 8-bit version fields at 0x20 are filled from the
   * extended ones (truncated), as old hosts still read them.
   */
  public byte[] encode() {
    byte[] reg = new byte[SIZE];
    Prm.set(reg, 0x00, 0, 16, deviceId);
    Prm.set(reg, 0x00, 16, 16, deviceHwRevision);
    Prm.set(reg, 0x08, 0, 16, hwDevId);
    Prm.set(reg, 0x10, 0, 16, manufacturingBaseMac >>> 32);
    Prm.putU32(reg, 0x14, manufacturingBaseMac & 0xFFFF_FFFFL);
    Prm.putU32(reg, 0x1C, uptime);
    Prm.set(reg, 0x20, 0, 8, extendedSubMinor & 0xFF);
    Prm.set(reg, 0x20, 8, 8, extendedMinor & 0xFF);
    Prm.set(reg, 0x20, 16, 8, extendedMajor & 0xFF);
    Prm.setFlag(reg, 0x20, 24, secured);
    Prm.setFlag(reg, 0x20, 25, signedFw);
    Prm.setFlag(reg, 0x20, 26, debug);
    Prm.setFlag(reg, 0x20, 27, dev);
    Prm.putU32(reg, 0x24, buildId);
    Prm.set(reg, 0x28, 0, 16, buildYear);
    Prm.set(reg, 0x28, 16, 8, buildDay);
    Prm.set(reg, 0x28, 24, 8, buildMonth);
    Prm.set(reg, 0x2C, 0, 16, buildHour);
    Prm.putAscii(reg, 0x30, 16, psid);
    Prm.putU32(reg, 0x40, iniFileVersion);
    Prm.putU32(reg, 0x44, extendedMajor);
    Prm.putU32(reg, 0x48, extendedMinor);
    Prm.putU32(reg, 0x4C, extendedSubMinor);
    Prm.set(reg, 0x54, 0, 2, lifeCycle);
    Prm.setFlag(reg, 0x54, 2, secBoot);
    Prm.setFlag(reg, 0x54, 3, encryption);
    Prm.putAscii(reg, 0x80, 28, devBranchTag);
    return reg;
  }
}
