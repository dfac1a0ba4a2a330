package dev.kiln.inspector;

/** How serious a {@link Finding} is. Only {@link #ERROR} makes an image fail verification. */
public enum Severity {
  /** The image is broken: mstflint (or the device) would reject it, or kiln's stricter rules do. */
  ERROR,
  /** Legal but suspicious or unverifiable (unknown section type, unchecked CRC mode...). */
  WARNING,
  /** Worth knowing, not a problem (the fail-safe ITOC copy is in use...). */
  INFO
}
