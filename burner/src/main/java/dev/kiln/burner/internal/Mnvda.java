package dev.kiln.burner.internal;

import java.nio.ByteBuffer;

/**
 * MNVDA (0x9024), NV configuration TLV access, for the one TLV the burner uses: NV_BASE_MAC_GUID
 * (type 0x2), which flint's {@code sg} writes on an MCC device (protocol doc §1.5). The registers
 * module does not model MNVDA (its length varies), so the layout lives here.
 *
 * <pre>
 * Byte  Bits    Field
 * 0x00  0..8    length: bytes of TLV data (16 for NV_BASE_MAC_GUID)
 *       9..11   writer_host_id
 *       12..15  version
 *       16..20  writer_id
 *       22      read_current
 *       23      default (GET: read the default value)
 *       24      rd_en
 *       25      over_en
 *       28..29  priority
 * 0x04  0..31   TLV type dword (0x2 = NV_BASE_MAC_GUID, 0x3 = its capability)
 * 0x08          reserved
 * 0x0C          data (length bytes); NV_BASE_MAC_GUID:
 *                 +0x0 base_mac[0]  (MAC bits 47..32 in the low 16 bits)
 *                 +0x4 base_mac[1]  (MAC bits 31..0)
 *                 +0x8 base_guid[0] (GUID bits 63..32)
 *                 +0xC base_guid[1] (GUID bits 31..0)
 * </pre>
 *
 * <p>Not API.
 */
public final class Mnvda {
  /** The register id. */
  public static final int ID = 0x9024;
  /** NV TLV type of the base MAC and GUID. */
  public static final int NV_BASE_MAC_GUID = 0x2;
  /** Header bytes before the TLV data. */
  public static final int HEADER = 0x0C;
  /** The NV_BASE_MAC_GUID data length. */
  public static final int BASE_MAC_GUID_LENGTH = 16;

  private Mnvda() {}

  /** A request for NV_BASE_MAC_GUID: a GET (mac and guid ignored) or a SET of both. */
  public static byte[] baseMacGuid(long mac, long guid) {
    ByteBuffer buffer = ByteBuffer.allocate(HEADER + BASE_MAC_GUID_LENGTH);
    buffer.putInt(0, BASE_MAC_GUID_LENGTH);
    buffer.putInt(4, NV_BASE_MAC_GUID);
    buffer.putInt(HEADER, (int) (mac >>> 32) & 0xFFFF);
    buffer.putInt(HEADER + 4, (int) mac);
    buffer.putInt(HEADER + 8, (int) (guid >>> 32));
    buffer.putInt(HEADER + 12, (int) guid);
    return buffer.array();
  }

  /** The MAC of an NV_BASE_MAC_GUID reply. */
  public static long mac(byte[] payload) {
    ByteBuffer buffer = ByteBuffer.wrap(payload);
    return ((buffer.getInt(HEADER) & 0xFFFFL) << 32) | (buffer.getInt(HEADER + 4) & 0xFFFF_FFFFL);
  }

  /** The GUID of an NV_BASE_MAC_GUID reply. */
  public static long guid(byte[] payload) {
    ByteBuffer buffer = ByteBuffer.wrap(payload);
    return ((long) buffer.getInt(HEADER + 8) << 32) | (buffer.getInt(HEADER + 12) & 0xFFFF_FFFFL);
  }
}
