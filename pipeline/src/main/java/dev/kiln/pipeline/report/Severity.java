package dev.kiln.pipeline.report;

/**
 * How bad a finding is. Only {@link #ERROR} makes a command refuse its input; warnings and notes
 * are shown and reported but never change the exit code.
 */
public enum Severity {
  ERROR,
  WARNING,
  NOTE;

  /** The SARIF 2.1.0 {@code result.level} for this severity. */
  public String sarifLevel() {
    return switch (this) {
      case ERROR -> "error";
      case WARNING -> "warning";
      case NOTE -> "note";
    };
  }
}
