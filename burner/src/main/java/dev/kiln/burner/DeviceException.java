package dev.kiln.burner;

/**
 * The device refused or failed an operation: a register status other than OK, an MCC error code,
 * an unexpected FSM state, a timeout while polling, a busy handle, a device in recovery mode. The
 * message names the cause in words an operator understands. The CLI maps it to exit code 5.
 *
 * <p>A refusal of the <em>image</em> by the device (bad signature, wrong device, forbidden version)
 * is not a device failure: it is reported as {@link ImageRejectedException} (exit code 1).
 */
public class DeviceException extends Exception {
  private static final long serialVersionUID = 1L;

  public DeviceException(String message) {
    super(message);
  }

  public DeviceException(String message, Throwable cause) {
    super(message, cause);
  }
}
