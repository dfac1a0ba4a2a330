package dev.kiln.inspector.section;

import dev.kiln.inspector.format.Crc16;
import dev.kiln.inspector.format.Dwords;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The DEV_INFO device-data section (DTOC type 0xE1, 0x200 bytes; fs4-format.md §12). An image
 * carries two copies; exactly one must carry the signature ("valid"), and only that one is
 * CRC-checked.
 *
 * <table>
 *   <caption>Layout</caption>
 *   <tr><th>position</th><th>field</th></tr>
 *   <tr><td>0x00..0x0F</td><td>signature {@code 6D446576 496E666F 2342CAFA BACAFE00}
 *       ("mDevInfo" + fixed)</td></tr>
 *   <tr><td>0x10.0-7</td><td>minor_version</td></tr>
 *   <tr><td>0x10.8-16</td><td>major_version: 2 this layout, 1 older, other rejected</td></tr>
 *   <tr><td>0x20</td><td>guids {@link UidEntry}</td></tr>
 *   <tr><td>0x30</td><td>macs {@link UidEntry}</td></tr>
 *   <tr><td>0x6C.0-15</td><td>vsd_vendor_id</td></tr>
 *   <tr><td>0x70 (208)</td><td>vsd ("Device VSD")</td></tr>
 *   <tr><td>0x160..0x19F</td><td>keys[4] (opaque 64 bytes)</td></tr>
 *   <tr><td>0x1FC.0-15</td><td>crc: CRC16-SW of bytes 0x000..0x1FB (section CRC mode 2)</td></tr>
 * </table>
 *
 * @param signatureValid true when the signature is present
 * @param minorVersion minor_version
 * @param majorVersion major_version
 * @param guids base GUID allocation
 * @param macs base MAC allocation
 * @param vsdVendorId vsd_vendor_id
 * @param vsd device VSD, up to 208 characters
 * @param keys the 64 bytes of keys[4] (copied in and out)
 * @param storedCrc low 16 bits of the dword at 0x1FC (0 when decoding a short body)
 */
public record DevInfo(
    boolean signatureValid,
    int minorVersion,
    int majorVersion,
    UidEntry guids,
    UidEntry macs,
    int vsdVendorId,
    String vsd,
    byte[] keys,
    int storedCrc) {
  /** Size of the section. */
  public static final int SIZE = 0x200;

  /** Shortest body {@link #decode} accepts (through the VSD). */
  public static final int MIN_DECODE_SIZE = 0x140;

  /** The layout version this class writes. */
  public static final int MAJOR_VERSION = 2;

  private static final int[] SIGNATURE = {0x6D446576, 0x496E666F, 0x2342CAFA, 0xBACAFE00};
  private static final int KEYS_AT = 0x160;
  private static final int KEYS_SIZE = 0x40;
  private static final int CRC_AT = 0x1FC;

  public DevInfo {
    keys = Fields.exact("DEV_INFO keys", keys, KEYS_SIZE);
  }

  /** A valid (signed) DEV_INFO of the current layout with no keys. */
  public static DevInfo of(UidEntry guids, UidEntry macs, String vsd) {
    return new DevInfo(true, 0, MAJOR_VERSION, guids, macs, 0, vsd, new byte[KEYS_SIZE], 0);
  }

  @Override
  public byte[] keys() {
    return keys.clone();
  }

  /** True when {@code body} begins with the DEV_INFO signature. */
  public static boolean hasSignature(byte[] body) {
    if (body.length < 16) {
      return false;
    }
    for (int i = 0; i < 4; i++) {
      if (Dwords.get(body, 4 * i) != SIGNATURE[i]) {
        return false;
      }
    }
    return true;
  }

  /** Decodes a body (position to limit; the buffer is not moved). */
  public static DevInfo decode(ByteBuffer body) throws SectionFormatException {
    return decode(Fields.remaining(body));
  }

  /**
   * Decodes a body. An invalid copy (no signature) decodes too, with whatever it holds.
   *
   * @throws SectionFormatException if it is shorter than {@link #MIN_DECODE_SIZE}
   */
  public static DevInfo decode(byte[] body) throws SectionFormatException {
    Fields.requireLength("DEV_INFO", body, MIN_DECODE_SIZE);
    byte[] keys = new byte[KEYS_SIZE];
    if (body.length >= KEYS_AT + KEYS_SIZE) {
      System.arraycopy(body, KEYS_AT, keys, 0, KEYS_SIZE);
    }
    int crc = body.length >= SIZE ? Dwords.get(body, CRC_AT) & 0xFFFF : 0;
    return new DevInfo(
        hasSignature(body),
        Fields.bits(body, 0x10, 0, 8),
        Fields.bits(body, 0x10, 8, 9),
        UidEntry.read(body, 0x20),
        UidEntry.read(body, 0x30),
        Fields.bits(body, 0x6C, 0, 16),
        Fields.string(body, 0x70, 208),
        keys,
        crc);
  }

  /**
   * The 0x200-byte body with the in-section CRC (mode 2) computed; {@link #storedCrc()} is
   * ignored. An invalid copy encodes without signature.
   */
  public byte[] encode() {
    byte[] body = new byte[SIZE];
    if (signatureValid) {
      for (int i = 0; i < 4; i++) {
        Dwords.put(body, 4 * i, SIGNATURE[i]);
      }
    }
    Fields.putBits(body, 0x10, 0, 8, minorVersion);
    Fields.putBits(body, 0x10, 8, 9, majorVersion);
    guids.writeTo(body, 0x20);
    macs.writeTo(body, 0x30);
    Fields.putBits(body, 0x6C, 0, 16, vsdVendorId);
    Fields.putString(body, 0x70, 208, "device VSD", vsd);
    System.arraycopy(keys, 0, body, KEYS_AT, KEYS_SIZE);
    Dwords.put(body, CRC_AT, Crc16.sw(body, 0, CRC_AT));
    return body;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DevInfo that
        && signatureValid == that.signatureValid
        && minorVersion == that.minorVersion
        && majorVersion == that.majorVersion
        && guids.equals(that.guids)
        && macs.equals(that.macs)
        && vsdVendorId == that.vsdVendorId
        && vsd.equals(that.vsd)
        && Arrays.equals(keys, that.keys)
        && storedCrc == that.storedCrc;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(keys) * 31 + java.util.Objects.hash(
        signatureValid, minorVersion, majorVersion, guids, macs, vsdVendorId, vsd, storedCrc);
  }

  @Override
  public String toString() {
    return String.format(
        "DevInfo[valid=%s, version=%d.%d, guids=%s, macs=%s, vsd=%s, crc=0x%04x]",
        signatureValid, majorVersion, minorVersion, guids, macs, vsd, storedCrc);
  }
}
