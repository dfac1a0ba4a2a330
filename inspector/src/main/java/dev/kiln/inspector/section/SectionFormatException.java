package dev.kiln.inspector.section;

/**
 * A section body cannot be decoded as the layout its type promises (too short for the fixed
 * fields, or, for the Kiln-defined FORBIDDEN_VERSIONS layout, inconsistent). The decoders in this
 * package throw nothing else on any input; callers turn this into a finding for the user rather
 * than letting it escape.
 */
public class SectionFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public SectionFormatException(String message) {
    super(message);
  }
}
