package dev.kiln.pipeline.report;

import java.util.Objects;
import java.util.Optional;

/**
 * One reason the pipeline gives about an input (an image, a bundle, a feed). The {@code code} is
 * stable: scripts, CI gates and the SARIF rule ids match on it (see docs/pipeline.md for the list).
 *
 * @param code stable identifier, upper-case words joined by underscores, e.g. {@code FEED_EXPIRED}
 * @param severity whether the finding refuses the input
 * @param message one human-readable sentence, complete on its own
 * @param region where in the subject's file the finding is, when it has a place (a section's
 *     bytes, a policy member's line)
 */
public record CheckFinding(
    String code, Severity severity, String message, Optional<FindingRegion> region) {
  public CheckFinding {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(region, "region");
    if (!code.matches("[A-Z][A-Z0-9_]*")) {
      throw new IllegalArgumentException("finding code must be UPPER_SNAKE_CASE: " + code);
    }
  }

  /** A finding with no place in its file. */
  public CheckFinding(String code, Severity severity, String message) {
    this(code, severity, message, Optional.empty());
  }

  /** An error finding, the kind that refuses the input. */
  public static CheckFinding error(String code, String message) {
    return new CheckFinding(code, Severity.ERROR, message);
  }

  /** A warning: reported, but the input is still accepted. */
  public static CheckFinding warning(String code, String message) {
    return new CheckFinding(code, Severity.WARNING, message);
  }

  /** The same finding, placed at {@code where} in its file. */
  public CheckFinding at(FindingRegion where) {
    return new CheckFinding(code, severity, message, Optional.of(where));
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
