package dev.kiln.pipeline.gate;

import java.nio.file.Path;

/**
 * The gate could not start: a file the policy names (a trusted key, the feed) cannot be used, or
 * the policy trusts a keys-sample key without allowing it. No image was judged; the reports hold
 * one result saying why.
 */
public final class GateSetupException extends Exception {
  /** What kind of input failed, which decides the exit code. */
  public enum Kind {
    /** A file cannot be read (exit 3). */
    UNREADABLE,
    /** A key file holds no usable key, or a refused (sample) key (exit 4). */
    KEY
  }

  private static final long serialVersionUID = 1L;

  private final String code;
  private final transient Path file;
  private final Kind kind;

  GateSetupException(String code, Path file, Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.file = file;
    this.kind = kind;
  }

  /** The finding code of the report's one result, e.g. {@code GATE_TRUST_UNREADABLE}. */
  public String code() {
    return code;
  }

  /** The file that failed (the result's location). */
  public Path file() {
    return file;
  }

  public Kind kind() {
    return kind;
  }
}
