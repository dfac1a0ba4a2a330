package dev.kiln.inspector;

import java.io.IOException;

/**
 * The input is not an FS4 image at all (no magic, too short for a boot area, too large, not a
 * regular file) and cannot be inspected. Problems inside a recognisable image are never thrown;
 * they are {@link Finding}s of a {@link VerificationResult}. The CLI maps this exception to exit
 * code 3.
 */
public class ImageFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public ImageFormatException(String message) {
    super(message);
  }

  public ImageFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
