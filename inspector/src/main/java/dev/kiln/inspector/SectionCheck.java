package dev.kiln.inspector;

/**
 * The CRC verdict for one section.
 *
 * @param section the section
 * @param status the verdict
 * @param storedCrc the CRC stored in the entry or the section (0 when not applicable)
 * @param computedCrc the CRC16-SW computed over the body (0 when not computed)
 */
public record SectionCheck(Section section, Status status, int storedCrc, int computedCrc) {
  /** CRC verdicts. */
  public enum Status {
    /** The CRC matches. */
    OK,
    /** The CRC does not match. */
    BAD,
    /**
     * There is nothing to check: crc mode 1 ("no CRC"), 3..7, a DEV_INFO copy without
     * signature, or an encrypted cache-line-CRC section (the cases mstflint prints as "CRC
     * IGNORED").
     */
    IGNORED,
    /** Not checked because the entry is broken or the body is not inside the file. */
    UNCHECKED
  }

  /** {@code true}, {@code false}, or {@code null} when no CRC was compared. */
  public Boolean crcOk() {
    return switch (status) {
      case OK -> Boolean.TRUE;
      case BAD -> Boolean.FALSE;
      default -> null;
    };
  }
}
