package dev.kiln.burner;

/**
 * Thrown at a cancellation checkpoint of a burn or read-back once its {@link CancellationToken}
 * was cancelled (Ctrl-C, SIGTERM). Unchecked because the checkpoints are the {@link
 * dev.kiln.burner.progress.BurnProgress} callbacks; {@link SecureDevice} treats it as every other
 * failure after LOCK: it sends CANCEL and RELEASE_UPDATE_HANDLE before the exception leaves the
 * burn, so the handle is free when the caller sees it.
 */
public final class BurnCancelledException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String reason;

  public BurnCancelledException(String reason) {
    super("cancelled (" + reason + ")");
    this.reason = reason;
  }

  /** What cancelled the burn, e.g. {@code SIGINT}. */
  public String reason() {
    return reason;
  }
}
