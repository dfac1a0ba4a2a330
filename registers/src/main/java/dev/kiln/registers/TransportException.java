package dev.kiln.registers;

/**
 * The path to the device failed: connection refused or lost, timeout, malformed response, missing
 * permission on a PCI config file. Distinct from a register status, which is a device's answer.
 * The CLI maps it to exit code 5.
 */
public class TransportException extends Exception {
  private static final long serialVersionUID = 1L;

  public TransportException(String message) {
    super(message);
  }

  public TransportException(String message, Throwable cause) {
    super(message, cause);
  }
}
