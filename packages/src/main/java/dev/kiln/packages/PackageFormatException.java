package dev.kiln.packages;

import dev.kiln.inspector.ImageFormatException;

/**
 * A package (MFA2 archive or DSP0267 firmware package) that cannot be read: wrong identifier, a
 * length that points outside the file, a checksum that does not match, a field the format does
 * not allow. The message is one complete line naming the source, the structure and, where there
 * is one, the byte offset. A subclass of {@link ImageFormatException} so that every command maps
 * it to the same exit code as an unreadable image (3).
 */
public class PackageFormatException extends ImageFormatException {
  private static final long serialVersionUID = 1L;

  public PackageFormatException(String message) {
    super(message);
  }

  public PackageFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
