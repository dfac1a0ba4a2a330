package dev.kiln.registers.pldm;

import java.nio.ByteBuffer;

/**
 * GetStatus (0x1B; DSP0267 1.1.0, clause "GetStatus command"; libpldm {@code struct
 * pldm_get_status_resp}). The request has no fields. Response after the completion code:
 *
 * <pre>
 * Offset  Size  Field
 * 0       1     CurrentState ({@link FirmwareDeviceState})
 * 1       1     PreviousState
 * 2       1     AuxState: 0 operation in progress, 1 successful, 2 failed,
 *               3 idle/learn components/ready xfer (no operation)
 * 3       1     AuxStateStatus: 0 in progress or success, 0x09 timeout, 0x0A generic error,
 *               0x70..0xEF vendor defined
 * 4       1     ProgressPercent (0..100, 101 = not supported)
 * 5       1     ReasonCode (why the FD went to IDLE): 0 initialization, 1 activate, 2 cancel
 *               update, 3..7 timeouts, 200..255 vendor defined
 * 6       4     UpdateOptionFlagsEnabled
 * </pre>
 */
public final class GetStatus {
  private GetStatus() {}

  public static final int AUX_IN_PROGRESS = 0;
  public static final int AUX_SUCCESSFUL = 1;
  public static final int AUX_FAILED = 2;
  public static final int AUX_NO_OPERATION = 3;

  public static final int REASON_INITIALIZATION = 0;
  public static final int REASON_ACTIVATE = 1;
  public static final int REASON_CANCEL_UPDATE = 2;
  /** First of the five timeout reasons (learn components .. apply). */
  public static final int REASON_TIMEOUT_LEARN_COMPONENTS = 3;

  /** ProgressPercent when the FD does not report progress. */
  public static final int PROGRESS_NOT_SUPPORTED = 101;

  public record Response(
      FirmwareDeviceState current,
      FirmwareDeviceState previous,
      int auxState,
      int auxStateStatus,
      int progressPercent,
      int reasonCode,
      long updateOptionFlagsEnabled) {

    public byte[] encode() {
      return Wire.out(10).put((byte) current.code()).put((byte) previous.code())
          .put((byte) auxState).put((byte) auxStateStatus).put((byte) progressPercent)
          .put((byte) reasonCode).putInt((int) updateOptionFlagsEnabled).array();
    }

    public static Response decode(byte[] payload) throws PldmFormatException {
      ByteBuffer in = Wire.in(payload);
      FirmwareDeviceState current = state(Wire.u8(in, "CurrentState"), "CurrentState");
      FirmwareDeviceState previous = state(Wire.u8(in, "PreviousState"), "PreviousState");
      int aux = Wire.u8(in, "AuxState");
      int auxStatus = Wire.u8(in, "AuxStateStatus");
      int progress = Wire.u8(in, "ProgressPercent");
      int reason = Wire.u8(in, "ReasonCode");
      long flags = Wire.u32(in, "UpdateOptionFlagsEnabled");
      Wire.end(in, "GetStatus response");
      if (progress > PROGRESS_NOT_SUPPORTED) {
        throw new PldmFormatException("ProgressPercent " + progress + " is above 101");
      }
      return new Response(current, previous, aux, auxStatus, progress, reason, flags);
    }

    private static FirmwareDeviceState state(int code, String field) throws PldmFormatException {
      return FirmwareDeviceState.of(code)
          .orElseThrow(() -> new PldmFormatException(field + " " + code + " is not a state"));
    }
  }
}
