package dev.kiln.packages.mfa2;

import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ReleaseDate;
import java.time.LocalDateTime;

/**
 * The MFA2 version extension (TLV type 0x21, 12 bytes, big-endian), as mstarchive 4.36 packs it
 * (mstflint {@code mlxarchive/mlxarchive_mfa2_extension.cpp}, {@code VersionExtension::pack};
 * the layout read from the vendor's archive in fixture {@code mfa2}):
 *
 * <pre>
 * offset size field
 *   0     1   major
 *   1     1   minor
 *   2     2   sub-minor
 *   4     2   year
 *   6     1   month
 *   7     1   day
 *   8     1   hour
 *   9     1   minutes
 *  10     1   seconds
 *  11     1   reserved (0)
 * </pre>
 *
 * The same extension means two things. In the package descriptor it is the package version and
 * its creation time: year in decimal and month from 0 ({@code struct tm}'s {@code tm_mon}, so
 * December is 11), local time of the machine that made it. In a component descriptor it is the
 * image's FW version and its release date copied from IMAGE_INFO, fields as the image stores them
 * (BCD-looking: 15 June 2023 is day 0x15, month 0x06, year 0x2023) and hour 12, minutes and
 * seconds 0. The fields are kept as stored; the methods below print them as mstarchive does.
 */
public record Mfa2Version(
    int major, int minor, int subMinor, int year, int month, int day, int hour, int minutes,
    int seconds) {

  public static final int LENGTH = 12;

  public Mfa2Version {
    if (major < 0 || major > 0xFF || minor < 0 || minor > 0xFF || subMinor < 0 || subMinor > 0xFFFF
        || year < 0 || year > 0xFFFF || month < 0 || month > 0xFF || day < 0 || day > 0xFF
        || hour < 0 || hour > 0xFF || minutes < 0 || minutes > 0xFF || seconds < 0
        || seconds > 0xFF) {
      throw new IllegalArgumentException("an MFA2 version field does not fit its bytes");
    }
  }

  /** A package version ("1.0.0") made at {@code created}, as mstarchive stores the two. */
  public static Mfa2Version ofPackage(String version, LocalDateTime created) {
    String[] parts = version.split("\\.", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("package version '" + version + "' is not N.N.N");
    }
    int[] numbers = new int[3];
    for (int i = 0; i < 3; i++) {
      try {
        numbers[i] = Integer.parseInt(parts[i]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("package version '" + version + "' is not N.N.N", e);
      }
    }
    if (numbers[0] > 0xFF || numbers[1] > 0xFF || numbers[2] > 0xFFFF || numbers[0] < 0
        || numbers[1] < 0 || numbers[2] < 0) {
      throw new IllegalArgumentException(
          "package version '" + version + "' does not fit MFA2 (major, minor < 256, sub-minor < 65536)");
    }
    return new Mfa2Version(
        numbers[0], numbers[1], numbers[2], created.getYear(), created.getMonthValue() - 1,
        created.getDayOfMonth(), created.getHour(), created.getMinute(), created.getSecond());
  }

  /** A component's version: the image's FW version and release date, hour 12. */
  public static Mfa2Version ofImage(FwVersion version, ReleaseDate date) {
    return new Mfa2Version(
        version.major(), version.minor(), version.subminor(), date.year(), date.month(),
        date.day(), 12, 0, 0);
  }

  /** "1.0.0": the package version as mstarchive's dump prints it. */
  public String version() {
    return major + "." + minor + "." + subMinor;
  }

  /** "22.41.1000" (sub-minor with four digits), as mstarchive prints a component's version. */
  public String paddedVersion() {
    return String.format("%d.%d.%04d", major, minor, subMinor % 10000);
  }

  /** The component's FW version. */
  public FwVersion fwVersion() {
    return new FwVersion(major, minor, subMinor);
  }

  /** "2026-12-04 02:28:05": the package creation time (month stored from 0). */
  public String creationTime() {
    return String.format(
        "%04d-%02d-%02d %02d:%02d:%02d", year, month + 1, day, hour, minutes, seconds);
  }

  /** "15.6.2023": a component's release date, printed with %x as mstflint prints it. */
  public String releaseDate() {
    return String.format("%x.%x.%x", day, month, year);
  }
}
