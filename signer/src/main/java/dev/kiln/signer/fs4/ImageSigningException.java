package dev.kiln.signer.fs4;

/**
 * The image was read but cannot be signed or updated as asked: a required section is missing or too
 * small, an argument does not fit the image, or the image uses a feature Kiln refuses to handle.
 * The message is written for the user and names the image structure concerned.
 */
public class ImageSigningException extends Exception {
  private static final long serialVersionUID = 1L;

  public ImageSigningException(String message) {
    super(message);
  }

  public ImageSigningException(String message, Throwable cause) {
    super(message, cause);
  }
}
