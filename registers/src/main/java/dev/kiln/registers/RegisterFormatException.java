package dev.kiln.registers;

/**
 * An envelope or register payload that cannot be decoded: wrong TLV type, inconsistent lengths, a
 * payload shorter than its register. On the host side this is a malformed response (a transport
 * problem, exit code 5); on the device side {@link #suggestedStatus()} is the register status to
 * answer with.
 */
public class RegisterFormatException extends TransportException {
  private static final long serialVersionUID = 1L;

  private final RegisterStatus suggestedStatus;

  public RegisterFormatException(String message, RegisterStatus suggestedStatus) {
    super(message);
    this.suggestedStatus = suggestedStatus;
  }

  /** The register status a device answers this malformed request with. */
  public RegisterStatus suggestedStatus() {
    return suggestedStatus;
  }
}
