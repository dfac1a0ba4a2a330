package dev.kiln.registers.pldm;

import java.nio.ByteBuffer;

/**
 * RequestUpdate (0x10; DSP0267 1.1.0, clause "RequestUpdate command"; libpldm {@code struct
 * pldm_request_update_req}, {@code struct pldm_request_update_resp}): the UA asks the FD to enter
 * update mode.
 *
 * <pre>
 * Request
 * Offset  Size  Field
 * 0       4     MaximumTransferSize: largest RequestFirmwareData the UA serves (at least 32)
 * 4       2     NumberOfComponents the UA will update
 * 6       1     MaximumOutstandingTransferRequests (at least 1)
 * 7       2     PackageDataLength (0: no package data)
 * 9       1     ComponentImageSetVersionStringType
 * 10      1     ComponentImageSetVersionStringLength (n)
 * 11      n     ComponentImageSetVersionString
 *
 * Response (after the completion code)
 * 0       2     FirmwareDeviceMetaDataLength (0: none)
 * 2       1     FDWillSendGetPackageDataCommand (0: no)
 * </pre>
 */
public final class RequestUpdate {
  private RequestUpdate() {}

  /** DSP0267's baseline transfer size: every FD and UA can move 32 bytes at a time. */
  public static final int BASELINE_TRANSFER_SIZE = 32;

  /** The request's fields. */
  public record Request(
      long maximumTransferSize,
      int numberOfComponents,
      int maximumOutstandingTransferRequests,
      int packageDataLength,
      PldmString imageSetVersion) {

    public byte[] encode() {
      ByteBuffer out = Wire.out(11 + imageSetVersion.length());
      out.putInt((int) maximumTransferSize).putShort((short) numberOfComponents)
          .put((byte) maximumOutstandingTransferRequests).putShort((short) packageDataLength)
          .put((byte) imageSetVersion.type()).put((byte) imageSetVersion.length())
          .put(imageSetVersion.bytes());
      return out.array();
    }

    public static Request decode(byte[] payload) throws PldmFormatException {
      ByteBuffer in = Wire.in(payload);
      long max = Wire.u32(in, "MaximumTransferSize");
      int count = Wire.u16(in, "NumberOfComponents");
      int outstanding = Wire.u8(in, "MaximumOutstandingTransferRequests");
      int packageData = Wire.u16(in, "PackageDataLength");
      int type = Wire.u8(in, "ComponentImageSetVersionStringType");
      int length = Wire.u8(in, "ComponentImageSetVersionStringLength");
      PldmString version = PldmString.read(in, type, length, "image set version");
      Wire.end(in, "RequestUpdate request");
      return new Request(max, count, outstanding, packageData, version);
    }
  }

  /** The response's fields. */
  public record Response(int metaDataLength, boolean willSendGetPackageData) {
    public byte[] encode() {
      return Wire.out(3).putShort((short) metaDataLength)
          .put((byte) (willSendGetPackageData ? 1 : 0)).array();
    }

    public static Response decode(byte[] payload) throws PldmFormatException {
      ByteBuffer in = Wire.in(payload);
      int meta = Wire.u16(in, "FirmwareDeviceMetaDataLength");
      int willSend = Wire.u8(in, "FDWillSendGetPackageDataCommand");
      Wire.end(in, "RequestUpdate response");
      return new Response(meta, willSend != 0);
    }
  }
}
