package dev.kiln.pipeline.feed;

/**
 * A forbidden-versions feed that must not be used: malformed, badly signed, signed by an unknown
 * key, expired or not yet valid. {@link #code()} is the stable finding code.
 */
public final class FeedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String code;

  public FeedException(String code, String message) {
    super(message);
    this.code = code;
  }

  public FeedException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** One of the {@code FEED_*} codes in {@link FeedCodec}. */
  public String code() {
    return code;
  }
}
