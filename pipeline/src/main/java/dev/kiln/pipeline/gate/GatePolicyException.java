package dev.kiln.pipeline.gate;

import dev.kiln.pipeline.report.FindingRegion;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A policy file that is not a valid gate policy: what is wrong, and where (line and column of the
 * member or of the JSON syntax error) when there is a place to point at. The message starts with
 * {@code FILE:LINE:COLUMN:}, the form editors and CI logs link to.
 */
public final class GatePolicyException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String reason;
  private final transient Optional<FindingRegion> position;

  GatePolicyException(Path file, Optional<FindingRegion> position, String reason) {
    super(file + position.map(p -> ":" + p).orElse("") + ": " + reason);
    this.file = file;
    this.reason = reason;
    this.position = position;
  }

  /** The policy file. */
  public Path file() {
    return file;
  }

  /** What is wrong, without the file and position. */
  public String reason() {
    return reason;
  }

  /** Line and column of the offending member or token, when known. */
  public Optional<FindingRegion> position() {
    return position;
  }
}
