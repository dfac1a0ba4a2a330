package dev.kiln.inspector.section;

import java.nio.ByteBuffer;

/**
 * The MFG_INFO device-data section (DTOC type 0xE0, 0x140 bytes; fs4-format.md §12). Required by
 * mstflint's verify.
 *
 * <table>
 *   <caption>Layout</caption>
 *   <tr><th>position</th><th>field</th></tr>
 *   <tr><td>0x00 (16)</td><td>psid (the "Orig PSID")</td></tr>
 *   <tr><td>0x1C.0</td><td>guids_override_en</td></tr>
 *   <tr><td>0x1C.16-23</td><td>minor_version</td></tr>
 *   <tr><td>0x1C.24-31</td><td>major_version: 1 this layout, 0 older (also accepted), other
 *       rejected</td></tr>
 *   <tr><td>0x20</td><td>guids {@link UidEntry}</td></tr>
 *   <tr><td>0x30</td><td>macs {@link UidEntry}</td></tr>
 *   <tr><td>0x40..0x13F</td><td>not modelled (written as 0)</td></tr>
 * </table>
 *
 * @param psid original PSID, up to 16 characters
 * @param guidsOverrideEn guids_override_en
 * @param minorVersion minor_version
 * @param majorVersion major_version
 * @param guids base GUID allocation
 * @param macs base MAC allocation
 */
public record MfgInfo(
    String psid,
    boolean guidsOverrideEn,
    int minorVersion,
    int majorVersion,
    UidEntry guids,
    UidEntry macs) {
  /** Size of the section. */
  public static final int SIZE = 0x140;

  /** Shortest body {@link #decode} accepts (through the MAC entry). */
  public static final int MIN_DECODE_SIZE = 0x40;

  /** The layout version this class writes. */
  public static final int MAJOR_VERSION = 1;

  /** An MFG_INFO of the current layout (1.0). */
  public static MfgInfo of(String psid, UidEntry guids, UidEntry macs) {
    return new MfgInfo(psid, false, 0, MAJOR_VERSION, guids, macs);
  }

  /** Decodes a body (position to limit; the buffer is not moved). */
  public static MfgInfo decode(ByteBuffer body) throws SectionFormatException {
    return decode(Fields.remaining(body));
  }

  /**
   * Decodes a body.
   *
   * @throws SectionFormatException if it is shorter than {@link #MIN_DECODE_SIZE}
   */
  public static MfgInfo decode(byte[] body) throws SectionFormatException {
    Fields.requireLength("MFG_INFO", body, MIN_DECODE_SIZE);
    return new MfgInfo(
        Fields.string(body, 0, 16),
        Fields.bits(body, 0x1C, 0, 1) != 0,
        Fields.bits(body, 0x1C, 16, 8),
        Fields.bits(body, 0x1C, 24, 8),
        UidEntry.read(body, 0x20),
        UidEntry.read(body, 0x30));
  }

  /** The 0x140-byte body. */
  public byte[] encode() {
    byte[] body = new byte[SIZE];
    Fields.putString(body, 0, 16, "MFG_INFO PSID", psid);
    Fields.putBits(body, 0x1C, 0, 1, guidsOverrideEn ? 1 : 0);
    Fields.putBits(body, 0x1C, 16, 8, minorVersion);
    Fields.putBits(body, 0x1C, 24, 8, majorVersion);
    guids.writeTo(body, 0x20);
    macs.writeTo(body, 0x30);
    return body;
  }
}
