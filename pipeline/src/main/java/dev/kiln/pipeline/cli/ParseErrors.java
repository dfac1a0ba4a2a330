package dev.kiln.pipeline.cli;

import dev.kiln.inspector.ImageFormatException;
import java.io.IOException;
import java.nio.file.Path;

/** One-line descriptions of why an image could not be read. */
final class ParseErrors {
  private ParseErrors() {}

  /**
   * A message naming the file and the reason, without a stack trace. {@link ImageFormatException}
   * messages already start with the path; other I/O errors get it prepended.
   */
  static String describe(Path path, IOException failure) {
    String message = failure.getMessage();
    if (failure instanceof ImageFormatException && message != null) {
      return message;
    }
    String reason = message == null || message.isBlank()
        ? failure.getClass().getSimpleName() : message;
    if (reason.startsWith(path.toString())) {
      return "cannot read " + reason;
    }
    return "cannot read " + path + ": " + reason;
  }
}
