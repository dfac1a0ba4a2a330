package dev.kiln.registers.pldm;

import java.nio.ByteBuffer;

/**
 * UpdateComponent (0x14; DSP0267 1.1.0, clause "UpdateComponent command"; libpldm {@code struct
 * pldm_update_component_req}, {@code _resp}): the UA names the component it sends next and its
 * size; when the FD accepts, it starts pulling the image with RequestFirmwareData.
 *
 * <pre>
 * Request
 * Offset  Size  Field
 * 0       2     ComponentClassification
 * 2       2     ComponentIdentifier
 * 4       1     ComponentClassificationIndex
 * 5       4     ComponentComparisonStamp
 * 9       4     ComponentImageSize
 * 13      4     UpdateOptionFlags (bit 0: force update)
 * 17      1     ComponentVersionStringType
 * 18      1     ComponentVersionStringLength (n)
 * 19      n     ComponentVersionString
 *
 * Response (after the completion code)
 * 0       1     ComponentCompatibilityResponse: 0 can be updated, 1 cannot be updated
 * 1       1     ComponentCompatibilityResponseCode ({@link ResultCodes})
 * 2       4     UpdateOptionFlagsEnabled
 * 6       2     TimeBeforeRequestFWData (seconds)
 * </pre>
 */
public final class UpdateComponent {
  private UpdateComponent() {}

  /** The request's fields. */
  public record Request(
      int classification,
      int identifier,
      int classificationIndex,
      long comparisonStamp,
      long imageSize,
      long updateOptionFlags,
      PldmString version) {

    public byte[] encode() {
      ByteBuffer out = Wire.out(19 + version.length());
      out.putShort((short) classification).putShort((short) identifier)
          .put((byte) classificationIndex).putInt((int) comparisonStamp).putInt((int) imageSize)
          .putInt((int) updateOptionFlags).put((byte) version.type()).put((byte) version.length())
          .put(version.bytes());
      return out.array();
    }

    public static Request decode(byte[] payload) throws PldmFormatException {
      ByteBuffer in = Wire.in(payload);
      int classification = Wire.u16(in, "ComponentClassification");
      int identifier = Wire.u16(in, "ComponentIdentifier");
      int index = Wire.u8(in, "ComponentClassificationIndex");
      long stamp = Wire.u32(in, "ComponentComparisonStamp");
      long size = Wire.u32(in, "ComponentImageSize");
      long flags = Wire.u32(in, "UpdateOptionFlags");
      int type = Wire.u8(in, "ComponentVersionStringType");
      int length = Wire.u8(in, "ComponentVersionStringLength");
      PldmString version = PldmString.read(in, type, length, "component version");
      Wire.end(in, "UpdateComponent request");
      return new Request(classification, identifier, index, stamp, size, flags, version);
    }
  }

  /** The response's fields. */
  public record Response(
      int compatibilityResponse,
      int compatibilityResponseCode,
      long updateOptionFlagsEnabled,
      int timeBeforeRequestFirmwareData) {
    public static final int CAN_BE_UPDATED = 0;
    public static final int CANNOT_BE_UPDATED = 1;

    public byte[] encode() {
      return Wire.out(8).put((byte) compatibilityResponse).put((byte) compatibilityResponseCode)
          .putInt((int) updateOptionFlagsEnabled).putShort((short) timeBeforeRequestFirmwareData)
          .array();
    }

    public static Response decode(byte[] payload) throws PldmFormatException {
      ByteBuffer in = Wire.in(payload);
      int response = Wire.u8(in, "ComponentCompatibilityResponse");
      int code = Wire.u8(in, "ComponentCompatibilityResponseCode");
      long flags = Wire.u32(in, "UpdateOptionFlagsEnabled");
      int time = Wire.u16(in, "TimeBeforeRequestFWData");
      Wire.end(in, "UpdateComponent response");
      return new Response(response, code, flags, time);
    }
  }
}
