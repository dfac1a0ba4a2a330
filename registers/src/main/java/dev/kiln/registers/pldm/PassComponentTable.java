package dev.kiln.registers.pldm;

import java.nio.ByteBuffer;

/**
 * PassComponentTable (0x13; DSP0267 1.1.0, clause "PassComponentTable command"; libpldm {@code
 * struct pldm_pass_component_table_req}, {@code _resp}): the UA passes one entry of the package's
 * component table per request; the FD says whether it can update that component.
 *
 * <pre>
 * Request
 * Offset  Size  Field
 * 0       1     TransferFlag ({@link TransferFlag})
 * 1       2     ComponentClassification
 * 3       2     ComponentIdentifier
 * 5       1     ComponentClassificationIndex
 * 6       4     ComponentComparisonStamp
 * 10      1     ComponentVersionStringType
 * 11      1     ComponentVersionStringLength (n)
 * 12      n     ComponentVersionString
 *
 * Response (after the completion code)
 * 0       1     ComponentResponse: 0 can be updated, 1 may be updateable
 * 1       1     ComponentResponseCode ({@link ResultCodes}, component response codes)
 * </pre>
 */
public final class PassComponentTable {
  private PassComponentTable() {}

  /** The request's fields. */
  public record Request(
      int transferFlag,
      int classification,
      int identifier,
      int classificationIndex,
      long comparisonStamp,
      PldmString version) {

    public byte[] encode() {
      ByteBuffer out = Wire.out(12 + version.length());
      out.put((byte) transferFlag).putShort((short) classification).putShort((short) identifier)
          .put((byte) classificationIndex).putInt((int) comparisonStamp)
          .put((byte) version.type()).put((byte) version.length()).put(version.bytes());
      return out.array();
    }

    public static Request decode(byte[] payload) throws PldmFormatException {
      ByteBuffer in = Wire.in(payload);
      int flag = Wire.u8(in, "TransferFlag");
      int classification = Wire.u16(in, "ComponentClassification");
      int identifier = Wire.u16(in, "ComponentIdentifier");
      int index = Wire.u8(in, "ComponentClassificationIndex");
      long stamp = Wire.u32(in, "ComponentComparisonStamp");
      int type = Wire.u8(in, "ComponentVersionStringType");
      int length = Wire.u8(in, "ComponentVersionStringLength");
      PldmString version = PldmString.read(in, type, length, "component version");
      Wire.end(in, "PassComponentTable request");
      return new Request(flag, classification, identifier, index, stamp, version);
    }
  }

  /** The response's fields. */
  public record Response(int componentResponse, int componentResponseCode) {
    public static final int CAN_BE_UPDATED = 0;
    public static final int MAY_BE_UPDATEABLE = 1;

    public byte[] encode() {
      return new byte[] {(byte) componentResponse, (byte) componentResponseCode};
    }

    public static Response decode(byte[] payload) throws PldmFormatException {
      ByteBuffer in = Wire.in(payload);
      int response = Wire.u8(in, "ComponentResponse");
      int code = Wire.u8(in, "ComponentResponseCode");
      Wire.end(in, "PassComponentTable response");
      return new Response(response, code);
    }
  }
}
