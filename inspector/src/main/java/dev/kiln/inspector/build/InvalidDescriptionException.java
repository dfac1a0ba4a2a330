package dev.kiln.inspector.build;

/**
 * An {@link ImageDescription} asks for an image that cannot be built (sizes do not fit, a string
 * is too long, a section type is reserved for the writer...). The message is one line written for
 * the user; nothing has been written when it is thrown.
 */
public class InvalidDescriptionException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidDescriptionException(String message) {
    super(message);
  }
}
