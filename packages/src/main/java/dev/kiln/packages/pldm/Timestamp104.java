package dev.kiln.packages.pldm;

import dev.kiln.packages.ByteCursor;
import dev.kiln.packages.PackageFormatException;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * A DSP0240 {@code timestamp104}: 13 bytes, little-endian.
 *
 * <pre>
 * offset size field
 *   0     2   UTC offset in minutes (signed)
 *   2     3   microsecond
 *   5     1   second
 *   6     1   minute
 *   7     1   hour
 *   8     1   day (1-31)
 *   9     1   month (1-12)
 *  10     2   year
 *  12     1   UTC resolution (high nibble) and time resolution (low nibble)
 * </pre>
 *
 * Kept as its fields, as stored: packages in the field hold zeroes and values no calendar has,
 * and a reader shows them rather than refusing the package. {@link #of(Instant)} writes what
 * OpenBMC's package creator writes (UTC offset 0, resolution byte 0).
 */
public record Timestamp104(
    int utcOffsetMinutes,
    int microsecond,
    int second,
    int minute,
    int hour,
    int day,
    int month,
    int year,
    int resolution) {

  public static final int LENGTH = 13;

  /** The time in UTC, to the microsecond, with offset 0 and resolution byte 0. */
  public static Timestamp104 of(Instant instant) {
    ZonedDateTime time = instant.atZone(ZoneOffset.UTC);
    return new Timestamp104(
        0,
        time.getNano() / 1000,
        time.getSecond(),
        time.getMinute(),
        time.getHour(),
        time.getDayOfMonth(),
        time.getMonthValue(),
        time.getYear(),
        0);
  }

  static Timestamp104 read(ByteCursor in) throws PackageFormatException {
    return new Timestamp104(
        in.s16("PackageReleaseDateTime UTC offset"),
        in.u24("PackageReleaseDateTime microsecond"),
        in.u8("PackageReleaseDateTime second"),
        in.u8("PackageReleaseDateTime minute"),
        in.u8("PackageReleaseDateTime hour"),
        in.u8("PackageReleaseDateTime day"),
        in.u8("PackageReleaseDateTime month"),
        in.u16("PackageReleaseDateTime year"),
        in.u8("PackageReleaseDateTime resolution"));
  }

  void writeTo(ByteArrayOutputStream out) {
    LittleEndian.u16(out, utcOffsetMinutes);
    out.write(microsecond);
    out.write(microsecond >>> 8);
    out.write(microsecond >>> 16);
    out.write(second);
    out.write(minute);
    out.write(hour);
    out.write(day);
    out.write(month);
    LittleEndian.u16(out, year);
    out.write(resolution);
  }

  /** "2024-01-01 00:00:00" (with ".000123" and "+01:00" only when not zero). */
  @Override
  public String toString() {
    StringBuilder text =
        new StringBuilder(
            String.format(
                "%04d-%02d-%02d %02d:%02d:%02d", year, month, day, hour, minute, second));
    if (microsecond != 0) {
      text.append(String.format(".%06d", microsecond));
    }
    if (utcOffsetMinutes != 0) {
      int minutes = Math.abs(utcOffsetMinutes);
      text.append(
          String.format(
              "%s%02d:%02d", utcOffsetMinutes < 0 ? "-" : "+", minutes / 60, minutes % 60));
    }
    return text.toString();
  }
}
