package dev.kiln.registers.pldm;

/**
 * A PLDM message that cannot be decoded: too short, a length field pointing past its end, a field
 * out of its range. The side that receives one answers with ERROR_INVALID_LENGTH or
 * ERROR_INVALID_DATA (DSP0240) or gives up on the peer.
 */
public final class PldmFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public PldmFormatException(String message) {
    super(message);
  }
}
