package dev.kiln.burner;

import java.util.OptionalInt;

/**
 * The device (or the pre-check on its behalf) refused the image: signature, wrong device, forbidden
 * version, rollback, unsigned. Nothing was activated and the device keeps its running image. The
 * CLI maps it to exit code 1 ("the input fails a check"), unlike {@link DeviceException} (5).
 */
public class ImageRejectedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The MCC error code the device reported, or -1 when the pre-check refused the image. */
  private final int mccErrorCode;

  public ImageRejectedException(String message, int mccErrorCode) {
    super(message);
    this.mccErrorCode = mccErrorCode;
  }

  /** The MCC error code (protocol doc §2.9) when the device itself refused the image. */
  public OptionalInt mccErrorCode() {
    return mccErrorCode < 0 ? OptionalInt.empty() : OptionalInt.of(mccErrorCode);
  }
}
