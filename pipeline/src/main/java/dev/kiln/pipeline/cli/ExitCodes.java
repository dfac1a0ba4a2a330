package dev.kiln.pipeline.cli;

import java.io.IOException;
import java.io.PrintWriter;

/**
 * The exit-code contract shared by every {@code kiln} command. The README documents the same table;
 * scripts and CI gates depend on it, so a value never changes meaning.
 */
public final class ExitCodes {
  /** Everything asked for was done and every check passed. */
  public static final int OK = 0;
  /** The input was read but fails a check; the findings say why. */
  public static final int CHECK_FAILED = 1;
  /** The command line is wrong (unknown option, missing argument, bad value). */
  public static final int USAGE = 2;
  /** An input cannot be read at all: missing, unreadable, or not an image. */
  public static final int UNREADABLE_INPUT = 3;
  /** A key, HSM or KMS could not be used (wrong PIN, no such key, access denied...). */
  public static final int KEY_ACCESS = 4;
  /** The device or the transport to it failed. */
  public static final int DEVICE = 5;

  private ExitCodes() {}

  /**
   * Reports a failure that escaped a command as one line on {@code err}, never a stack trace (the
   * message is written for the user), and returns its exit code.
   */
  public static int report(Throwable failure, PrintWriter err) {
    String message = failure.getMessage();
    if (message == null || message.isBlank()) {
      message = failure.getClass().getSimpleName();
    }
    err.println("kiln: " + message);
    return forException(failure);
  }

  /**
   * Maps an exception that escaped a command to its exit code. Domain exceptions carry their own
   * code through {@link CommandFailure}; the rest are classified by type.
   */
  public static int forException(Throwable failure) {
    if (failure instanceof CommandFailure commandFailure) {
      return commandFailure.exitCode();
    }
    for (Classifier classifier : Classifier.values()) {
      if (classifier.matches(failure)) {
        return classifier.exitCode;
      }
    }
    if (failure instanceof IOException) {
      return UNREADABLE_INPUT;
    }
    return CHECK_FAILED;
  }

  /**
   * Exception types of the library modules, matched by class name so that this table does not
   * force a compile-time dependency order on modules that define them later.
   */
  private enum Classifier {
    IMAGE_FORMAT("dev.kiln.inspector.ImageFormatException", ExitCodes.UNREADABLE_INPUT),
    KEY_ACCESS("dev.kiln.signer.KeyAccessException", ExitCodes.KEY_ACCESS),
    DEVICE("dev.kiln.burner.DeviceException", ExitCodes.DEVICE),
    TRANSPORT("dev.kiln.registers.TransportException", ExitCodes.DEVICE);

    private final String className;
    private final int exitCode;

    Classifier(String className, int exitCode) {
      this.className = className;
      this.exitCode = exitCode;
    }

    boolean matches(Throwable failure) {
      for (Class<?> type = failure.getClass(); type != null; type = type.getSuperclass()) {
        if (type.getName().equals(className)) {
          return true;
        }
      }
      return false;
    }
  }
}
