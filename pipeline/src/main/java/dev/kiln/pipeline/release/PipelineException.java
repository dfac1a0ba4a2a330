package dev.kiln.pipeline.release;

/**
 * A stage failed. {@link #exitCode()} follows the CLI contract: 1 a check failed, 3 an input is
 * unreadable, 4 key access failed, 5 device error.
 */
public final class PipelineException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  public PipelineException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public PipelineException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
