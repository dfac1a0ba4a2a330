package dev.kiln.registers;

import dev.kiln.registers.internal.Prm;

/**
 * MCQI info set VERSION (info_type 1), 124 bytes; offsets relative to MCQI {@code data} (protocol
 * doc §1.6).
 *
 * <pre>
 * Field                     Bits / bytes
 * version_string_length     +0x00.0-7
 * user_defined_time_valid   +0x00.28
 * build_time_valid          +0x00.29
 * version                   +0x04 (major 31..24, minor 23..16, subminor 15..0)
 * build_time                +0x08..+0x0F (low dword: day 7..0, month 15..8, year 31..16)
 * user_defined_time         +0x10..+0x17
 * build_tool_version        +0x18
 * version_string            +0x20, 92 bytes, NUL terminated
 * </pre>
 *
 * <p>The day, month and year are hex digits that read as decimal (0x25 is the 25th): flint prints
 * them in hex. What the high dword of build_time holds is not documented; Kiln writes 0.
 */
public record McqiVersion(
    boolean userDefinedTimeValid,
    boolean buildTimeValid,
    long version,
    long buildTime,
    long userDefinedTime,
    long buildToolVersion,
    String versionString) {

  public static final int SIZE = 0x7C;
  private static final int STRING_OFFSET = 0x20;
  private static final int STRING_SIZE = 92;

  public McqiVersion {
    Prm.checkField("version", version, 32);
    Prm.checkField("build_tool_version", buildToolVersion, 32);
    if (versionString == null || versionString.length() >= STRING_SIZE) {
      throw new IllegalArgumentException("version_string holds at most 91 characters");
    }
  }

  /** A version from its parts: major.minor.subminor. */
  public static long packVersion(int major, int minor, int subminor) {
    return ((long) (major & 0xFF) << 24) | ((minor & 0xFF) << 16) | (subminor & 0xFFFF);
  }

  /** The build_time low dword from a date written as decimal digits in hex (as flint reads it). */
  public static long packBuildDate(int day, int month, int year) {
    return (Long.parseLong(Integer.toString(year), 16) << 16)
        | (Long.parseLong(Integer.toString(month), 16) << 8)
        | Long.parseLong(Integer.toString(day), 16);
  }

  public int major() {
    return (int) (version >>> 24 & 0xFF);
  }

  public int minor() {
    return (int) (version >>> 16 & 0xFF);
  }

  public int subminor() {
    return (int) (version & 0xFFFF);
  }

  /** {@code major.minor.subminor} as flint prints it ({@code %d.%d.%04d}, minor >= 100 wider). */
  public String versionText() {
    return minor() >= 100
        ? String.format("%d.%04d.%04d", major(), minor(), subminor())
        : String.format("%d.%d.%04d", major(), minor(), subminor());
  }

  /** Decodes the info set from MCQI data (at least {@link #SIZE} bytes). */
  public static McqiVersion decode(byte[] info) throws RegisterFormatException {
    Prm.requireLength("MCQI VERSION", info, SIZE);
    int length = (int) Prm.get(info, 0x00, 0, 8);
    return new McqiVersion(
        Prm.flag(info, 0x00, 28),
        Prm.flag(info, 0x00, 29),
        Prm.u32(info, 0x04),
        Prm.u64(info, 0x08),
        Prm.u64(info, 0x10),
        Prm.u32(info, 0x18),
        Prm.ascii(info, STRING_OFFSET, Math.min(length == 0 ? STRING_SIZE : length, STRING_SIZE)));
  }

  /** The {@link #SIZE}-byte info set; version_string_length counts the string without its NUL. */
  public byte[] encode() {
    byte[] info = new byte[SIZE];
    Prm.set(info, 0x00, 0, 8, versionString.length());
    Prm.setFlag(info, 0x00, 28, userDefinedTimeValid);
    Prm.setFlag(info, 0x00, 29, buildTimeValid);
    Prm.putU32(info, 0x04, version);
    Prm.putU64(info, 0x08, buildTime);
    Prm.putU64(info, 0x10, userDefinedTime);
    Prm.putU32(info, 0x18, buildToolVersion);
    Prm.putAscii(info, STRING_OFFSET, STRING_SIZE, versionString);
    return info;
  }
}
