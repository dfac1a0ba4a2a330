package dev.kiln.emulator.pcifunction.fuse;

import java.io.IOException;

/** libfuse could not be loaded, or refused to create or mount the filesystem. */
public final class FuseException extends IOException {
  private static final long serialVersionUID = 1L;

  public FuseException(String message) {
    super(message);
  }

  public FuseException(String message, Throwable cause) {
    super(message, cause);
  }
}
