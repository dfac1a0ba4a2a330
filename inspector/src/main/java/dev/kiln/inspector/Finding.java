package dev.kiln.inspector;

import java.util.Objects;

/**
 * One problem found in an image.
 *
 * @param code what was checked (stable identifier, also in JSON output)
 * @param severity how serious it is
 * @param offset file offset of the structure concerned, or -1 when there is none
 * @param structure the structure named the way mstflint names it: {@code HW_POINTERS}, {@code
 *     TOOLS_AREA}, {@code BOOT2}, {@code HASHES_TABLE}, {@code ITOC_HEADER}, {@code DTOC_HEADER},
 *     {@code ITOC_ENTRY}, {@code DTOC_ENTRY}, a section name such as {@code IMAGE_INFO}, or {@code
 *     MAGIC}, {@code BOOT_VERSION}, {@code FILE}
 * @param message one human-readable sentence with the numbers that matter
 */
public record Finding(
    FindingCode code, Severity severity, long offset, String structure, String message) {
  public Finding {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(structure, "structure");
    Objects.requireNonNull(message, "message");
  }

  /** A finding with the code's default severity. */
  public static Finding of(FindingCode code, long offset, String structure, String message) {
    return new Finding(code, code.defaultSeverity(), offset, structure, message);
  }

  @Override
  public String toString() {
    String where = offset < 0 ? "" : String.format(" at 0x%x", offset);
    return String.format(
        "%s %s (%s%s): %s", severity, code, structure, where, message);
  }
}
