package dev.kiln.registers.pldm;

import java.nio.ByteBuffer;

/**
 * ActivateFirmware (0x1A; DSP0267 1.1.0, clause "ActivateFirmware command"; libpldm {@code struct
 * pldm_activate_firmware_req}, {@code _resp}): the UA asks the FD to activate what it applied.
 *
 * <pre>
 * Request
 * 0       1     SelfContainedActivationRequest (0: do not activate self-contained components now)
 * Response (after the completion code)
 * 0       2     EstimatedTimeForSelfContainedActivation (seconds)
 * </pre>
 */
public final class ActivateFirmware {
  private ActivateFirmware() {}

  public record Request(boolean selfContainedActivation) {
    public byte[] encode() {
      return new byte[] {(byte) (selfContainedActivation ? 1 : 0)};
    }

    public static Request decode(byte[] payload) throws PldmFormatException {
      ByteBuffer in = Wire.in(payload);
      int value = Wire.u8(in, "SelfContainedActivationRequest");
      Wire.end(in, "ActivateFirmware request");
      if (value > 1) {
        throw new PldmFormatException("SelfContainedActivationRequest " + value + " is not 0 or 1");
      }
      return new Request(value == 1);
    }
  }

  public record Response(int estimatedSeconds) {
    public byte[] encode() {
      return Wire.out(2).putShort((short) estimatedSeconds).array();
    }

    public static Response decode(byte[] payload) throws PldmFormatException {
      ByteBuffer in = Wire.in(payload);
      int seconds = Wire.u16(in, "EstimatedTimeForSelfContainedActivation");
      Wire.end(in, "ActivateFirmware response");
      return new Response(seconds);
    }
  }
}
