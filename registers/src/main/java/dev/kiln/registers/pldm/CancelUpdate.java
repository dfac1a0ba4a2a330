package dev.kiln.registers.pldm;

import java.nio.ByteBuffer;

/**
 * CancelUpdate (0x1D; DSP0267 1.1.0, clause "CancelUpdate command"; libpldm {@code struct
 * pldm_cancel_update_resp}): the UA ends update mode. The request has no fields (nor have
 * CancelUpdateComponent's request and response, 0x1C, beyond the completion code). Response after
 * the completion code:
 *
 * <pre>
 * Offset  Size  Field
 * 0       1     NonFunctioningComponentIndication (0: every component still functions)
 * 1       8     NonFunctioningComponentBitmap
 * </pre>
 */
public final class CancelUpdate {
  private CancelUpdate() {}

  public record Response(boolean nonFunctioningComponents, long nonFunctioningBitmap) {
    public byte[] encode() {
      return Wire.out(9).put((byte) (nonFunctioningComponents ? 1 : 0))
          .putLong(nonFunctioningBitmap).array();
    }

    public static Response decode(byte[] payload) throws PldmFormatException {
      ByteBuffer in = Wire.in(payload);
      int indication = Wire.u8(in, "NonFunctioningComponentIndication");
      long bitmap = Wire.u64(in, "NonFunctioningComponentBitmap");
      Wire.end(in, "CancelUpdate response");
      return new Response(indication != 0, bitmap);
    }
  }
}
