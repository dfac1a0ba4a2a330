package dev.kiln.pipeline.report;

import java.util.Objects;

/**
 * One reason the pipeline gives about an input (an image, a bundle, a feed). The {@code code} is
 * stable: scripts, CI gates and the SARIF rule ids match on it (see docs/pipeline.md for the list).
 *
 * @param code stable identifier, upper-case words joined by underscores, e.g. {@code FEED_EXPIRED}
 * @param severity whether the finding refuses the input
 * @param message one human-readable sentence, complete on its own
 */
public record CheckFinding(String code, Severity severity, String message) {
  public CheckFinding {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(message, "message");
    if (!code.matches("[A-Z][A-Z0-9_]*")) {
      throw new IllegalArgumentException("finding code must be UPPER_SNAKE_CASE: " + code);
    }
  }

  /** An error finding, the kind that refuses the input. */
  public static CheckFinding error(String code, String message) {
    return new CheckFinding(code, Severity.ERROR, message);
  }

  /** A warning: reported, but the input is still accepted. */
  public static CheckFinding warning(String code, String message) {
    return new CheckFinding(code, Severity.WARNING, message);
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /** {@code CODE: message}, the form the CLI prints. */
  @Override
  public String toString() {
    return code + ": " + message;
  }
}
