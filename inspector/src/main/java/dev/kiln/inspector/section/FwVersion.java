package dev.kiln.inspector.section;

import java.util.Comparator;

/**
 * A firmware version {@code major.minor.subminor}, each a 16-bit field of IMAGE_INFO's FW_VERSION
 * record (fs4-format.md §11): major at 0x4.16-31, minor at 0x8.16-31, subminor at 0x8.0-15 of the
 * section.
 *
 * <p>{@link #toString()} prints the version the way mstflint does: {@code %d.%d.%04d} when the
 * minor is below 100 ({@code 22.41.1000}, {@code 16.5.0003}) and {@code %d.%04d.%04d} otherwise
 * ({@code 22.0100.0007}). Ordering is numeric, field by field, so 22.41.1000 sorts after
 * 22.39.1002.
 *
 * @param major 0..65535
 * @param minor 0..65535
 * @param subminor 0..65535
 */
public record FwVersion(int major, int minor, int subminor) implements Comparable<FwVersion> {
  private static final Comparator<FwVersion> ORDER =
      Comparator.comparingInt(FwVersion::major)
          .thenComparingInt(FwVersion::minor)
          .thenComparingInt(FwVersion::subminor);

  public FwVersion {
    check("major", major);
    check("minor", minor);
    check("subminor", subminor);
  }

  private static void check(String field, int value) {
    if (value < 0 || value > 0xFFFF) {
      throw new IllegalArgumentException(
          "FW version " + field + " " + value + " is outside 0..65535");
    }
  }

  /**
   * Parses {@code MAJOR.MINOR.SUBMINOR} in decimal; leading zeros are allowed, so both forms
   * mstflint prints ({@code 22.41.1000}, {@code 22.0100.0007}) read back.
   *
   * @throws IllegalArgumentException naming the text when it is not a version
   */
  public static FwVersion parse(String text) {
    String[] parts = text.trim().split("\\.", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "FW version '" + text + "' is not MAJOR.MINOR.SUBMINOR");
    }
    int[] values = new int[3];
    for (int i = 0; i < 3; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.length() > 5 || !part.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException(
            "FW version '" + text + "' is not MAJOR.MINOR.SUBMINOR with decimal numbers");
      }
      values[i] = Integer.parseInt(part);
      if (values[i] > 0xFFFF) {
        throw new IllegalArgumentException(
            "FW version '" + text + "': each part must be at most 65535");
      }
    }
    return new FwVersion(values[0], values[1], values[2]);
  }

  @Override
  public int compareTo(FwVersion other) {
    return ORDER.compare(this, other);
  }

  /** True when this version is newer than {@code other}. */
  public boolean isNewerThan(FwVersion other) {
    return compareTo(other) > 0;
  }

  /** The version as mstflint prints it. */
  @Override
  public String toString() {
    return minor < 100
        ? String.format("%d.%d.%04d", major, minor, subminor)
        : String.format("%d.%04d.%04d", major, minor, subminor);
  }
}
