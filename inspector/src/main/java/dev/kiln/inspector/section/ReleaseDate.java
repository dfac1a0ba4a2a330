package dev.kiln.inspector.section;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Optional;

/**
 * The FW release date of IMAGE_INFO's FW_VERSION record (fs4-format.md §11): day at 0x10.0-7,
 * month at 0x10.8-15, year at 0x10.16-31 of the section.
 *
 * <p>mstflint prints the three fields with {@code %x}, so release tooling stores them
 * "BCD-looking": 15 June 2023 is day 0x15, month 0x06, year 0x2023 and prints as {@code
 * 15.6.2023}. This record holds the raw field values; {@link #of(LocalDate)} does the BCD packing
 * and {@link #toString()} prints what mstflint prints.
 *
 * @param day raw day field, 0..0xFF
 * @param month raw month field, 0..0xFF
 * @param year raw year field, 0..0xFFFF
 */
public record ReleaseDate(int day, int month, int year) {
  /** The all-zero date of an image that does not set one (prints {@code 0.0.0}). */
  public static final ReleaseDate NONE = new ReleaseDate(0, 0, 0);

  public ReleaseDate {
    if (day < 0 || day > 0xFF || month < 0 || month > 0xFF || year < 0 || year > 0xFFFF) {
      throw new IllegalArgumentException(
          String.format("release date fields 0x%x.0x%x.0x%x do not fit", day, month, year));
    }
  }

  /** The BCD-looking encoding of a calendar date (years 0..9999). */
  public static ReleaseDate of(LocalDate date) {
    if (date.getYear() < 0 || date.getYear() > 9999) {
      throw new IllegalArgumentException("release year " + date.getYear() + " is not 0..9999");
    }
    return new ReleaseDate(
        bcd(date.getDayOfMonth()), bcd(date.getMonthValue()), bcd(date.getYear()));
  }

  /**
   * Parses either an ISO date ({@code 2023-06-15}) or the text mstflint prints ({@code
   * 15.6.2023}, read as hex digits, exactly as it is stored).
   *
   * @throws IllegalArgumentException naming the text when it is neither
   */
  public static ReleaseDate parse(String text) {
    String trimmed = text.trim();
    try {
      if (trimmed.contains("-")) {
        return of(LocalDate.parse(trimmed));
      }
      String[] parts = trimmed.split("\\.", -1);
      if (parts.length == 3) {
        return new ReleaseDate(
            Integer.parseInt(parts[0], 16),
            Integer.parseInt(parts[1], 16),
            Integer.parseInt(parts[2], 16));
      }
    } catch (DateTimeException | IllegalArgumentException e) {
      // fall through to the one message below
    }
    throw new IllegalArgumentException(
        "release date '" + text + "' is neither YYYY-MM-DD nor D.M.YYYY");
  }

  /** The calendar date when the fields are valid BCD of a real date. */
  public Optional<LocalDate> toLocalDate() {
    try {
      return Optional.of(LocalDate.of(unbcd(year), unbcd(month), unbcd(day)));
    } catch (DateTimeException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The date as mstflint prints it: {@code %x.%x.%x} of day, month, year. */
  @Override
  public String toString() {
    return String.format("%x.%x.%x", day, month, year);
  }

  /** Packs the decimal digits of {@code value} into nibbles (15 → 0x15). */
  static int bcd(int value) {
    return Integer.parseInt(Integer.toString(value), 16);
  }

  private static int unbcd(int value) {
    String digits = Integer.toHexString(value);
    if (!digits.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("not BCD: 0x" + digits);
    }
    return Integer.parseInt(digits);
  }
}
