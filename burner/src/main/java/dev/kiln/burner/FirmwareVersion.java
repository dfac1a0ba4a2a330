package dev.kiln.burner;

import java.util.Locale;

/**
 * A firmware version as the device reports it in MCQI VERSION (protocol doc §1.6): major in bits
 * 31..24, minor in bits 23..16, subminor in bits 15..0 of one dword. Ordered numerically field by
 * field, so 22.41.1000 sorts above 22.39.1002.
 */
public record FirmwareVersion(int major, int minor, int subminor)
    implements Comparable<FirmwareVersion> {

  public FirmwareVersion {
    if (major < 0 || major > 0xFF || minor < 0 || minor > 0xFF || subminor < 0
        || subminor > 0xFFFF) {
      throw new IllegalArgumentException(
          "firmware version out of range: " + major + "." + minor + "." + subminor);
    }
  }

  /** Splits the MCQI version dword. */
  public static FirmwareVersion fromDword(int dword) {
    return new FirmwareVersion(dword >>> 24, (dword >>> 16) & 0xFF, dword & 0xFFFF);
  }

  /** Parses {@code MAJOR.MINOR.SUBMINOR} (leading zeros allowed, as mstflint prints them). */
  public static FirmwareVersion parse(String text) {
    String[] parts = text.trim().split("\\.");
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a firmware version (want 22.41.1000): " + text);
    }
    try {
      return new FirmwareVersion(
          Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a firmware version (want 22.41.1000): " + text, e);
    }
  }

  /** The MCQI version dword. */
  public int toDword() {
    return (major << 24) | (minor << 16) | subminor;
  }

  @Override
  public int compareTo(FirmwareVersion other) {
    return Integer.compareUnsigned(toDword(), other.toDword());
  }

  /** As mstflint prints it: {@code %d.%d.%04d}, or {@code %d.%04d.%04d} when minor is 100+. */
  @Override
  public String toString() {
    return minor >= 100
        ? String.format(Locale.ROOT, "%d.%04d.%04d", major, minor, subminor)
        : String.format(Locale.ROOT, "%d.%d.%04d", major, minor, subminor);
  }
}
