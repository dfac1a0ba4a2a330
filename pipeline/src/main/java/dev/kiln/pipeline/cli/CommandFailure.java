package dev.kiln.pipeline.cli;

/**
 * A failure a command reports to the user as one line and a chosen exit code. The message must be
 * complete on its own (what failed and on which input) and must never contain key material or PINs.
 */
public final class CommandFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  public CommandFailure(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CommandFailure(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
