package dev.kiln.registers.pldm;

import java.nio.ByteBuffer;

/**
 * RequestFirmwareData (0x15, FD to UA; DSP0267 1.1.0, clause "RequestFirmwareData command";
 * libpldm {@code struct pldm_request_firmware_data_req}): the FD pulls the component image, piece
 * by piece, in the order it chooses.
 *
 * <pre>
 * Request
 * Offset  Size  Field
 * 0       4     Offset into the component image
 * 4       4     Length (at most the UA's MaximumTransferSize, at least the baseline 32)
 *
 * Response (after the completion code)
 * 0       n     ComponentImagePortion: Length bytes; past the image's end the UA pads with zeros
 * </pre>
 */
public final class RequestFirmwareData {
  private RequestFirmwareData() {}

  /** The request's fields. */
  public record Request(long offset, long length) {
    public byte[] encode() {
      return Wire.out(8).putInt((int) offset).putInt((int) length).array();
    }

    public static Request decode(byte[] payload) throws PldmFormatException {
      ByteBuffer in = Wire.in(payload);
      long offset = Wire.u32(in, "Offset");
      long length = Wire.u32(in, "Length");
      Wire.end(in, "RequestFirmwareData request");
      return new Request(offset, length);
    }
  }
}
