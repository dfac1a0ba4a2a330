package dev.kiln.registers;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * MNVDA (0x9024): read or write one non-volatile configuration TLV. Its length varies with the
 * TLV; Kiln models the two TLVs the controlled-update tools use: NV_BASE_MAC_GUID (type 0x2), which
 * flint's {@code sg} writes on an MCC device (protocol doc §1.5) instead of patching the flash, and
 * the read-only NV_BASE_MAC_GUID_CAP (type 0x3) with the allocated counts.
 *
 * <p>How mstflint 4.21 reads them for {@code query} (fw_comps_mgr/fw_comps_mgr.cpp
 * {@code FwCompsMgr::extractMacsGuids} through {@code runNVDA}): four GETs, each with
 * {@code length} 64 (room for any TLV) — type 2, type 2 with {@code default}, type 3, type 3 with
 * {@code default} — and it takes {@code length} bytes of data from the reply, so the device writes
 * the TLV's real length there (a real ConnectX-5 answers 16 and 8, with {@code rd_en} and
 * {@code over_en} set on type 2 and {@code rd_en} on type 3, the {@code default} bit echoed). The
 * register carries the 12-byte header plus {@code length} data bytes
 * ({@code reg_access_nvda}, reg_access/reg_access.c). {@code sg} SETs type 2 with length 16
 * ({@code FwCompsMgr::setMacsGuids}).
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
 * 0x04  0..31   TLV type dword (0x2 = NV_BASE_MAC_GUID)
 * 0x08          reserved
 * 0x0C          data (length bytes); NV_BASE_MAC_GUID:
 *                 +0x0 base_mac[0]  (MAC bits 47..32 in the low 16 bits)
 *                 +0x4 base_mac[1]  (MAC bits 31..0)
 *                 +0x8 base_guid[0] (GUID bits 63..32)
 *                 +0xC base_guid[1] (GUID bits 31..0)
 *               NV_BASE_MAC_GUID_CAP (tools_open_nv_base_mac_guid_cap):
 *                 +0x0 bit 31 mac_en, bit 30 guid_en
 *                 +0x4 bits 0..15 num_of_allocated_macs, bits 16..31 num_of_allocated_guids
 * </pre>
 *
 * <p>Header bit positions: mstflint 4.21 tools_layouts/tools_open_layouts.h
 * {@code tools_open_nv_hdr_fifth_gen}.
 *
 * @param control the first dword (length and the flag bits above)
 * @param tlvType the NV TLV type
 * @param data the TLV data ({@link #length()} bytes)
 */
public record Mnvda(int control, int tlvType, byte[] data) {
  /** NV TLV type of the base MAC and GUID. */
  public static final int NV_BASE_MAC_GUID = 0x2;
  /** Header bytes before the TLV data. */
  public static final int HEADER = 0x0C;
  /** The NV_BASE_MAC_GUID data length. */
  public static final int BASE_MAC_GUID_LENGTH = 16;
  /** NV TLV type of the MAC and GUID allocation (read only). */
  public static final int NV_BASE_MAC_GUID_CAP = 0x3;
  /** The NV_BASE_MAC_GUID_CAP data length. */
  public static final int BASE_MAC_GUID_CAP_LENGTH = 8;
  /** Header bit: GET the default (factory) value instead of the current one. */
  public static final int DEFAULT_BIT = 1 << 23;
  /** Header bit rd_en: lower priorities may read the TLV. */
  public static final int RD_EN_BIT = 1 << 24;
  /** Header bit over_en: lower priorities may overwrite the TLV. */
  public static final int OVER_EN_BIT = 1 << 25;
  /** Largest TLV data this codec accepts (a register over ICMD carries at most 820 bytes). */
  public static final int MAX_DATA = 256;

  public Mnvda {
    data = data.clone();
    if (data.length > MAX_DATA) {
      throw new IllegalArgumentException("MNVDA data of " + data.length + " bytes is too long");
    }
    control = (control & ~0x1FF) | data.length;
  }

  /** Bytes of TLV data. */
  public int length() {
    return data.length;
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  /**
   * Decodes a request or reply payload.
   *
   * @throws RegisterFormatException when the payload is shorter than its header or its declared
   *     length (the device answers BAD_PARAM)
   */
  public static Mnvda decode(byte[] payload) throws RegisterFormatException {
    if (payload.length < HEADER) {
      throw new RegisterFormatException(
          "MNVDA payload of " + payload.length + " bytes is shorter than its 12-byte header",
          RegisterStatus.BAD_PARAM);
    }
    ByteBuffer buffer = ByteBuffer.wrap(payload);
    int control = buffer.getInt(0);
    int length = control & 0x1FF;
    if (length > MAX_DATA || HEADER + length > payload.length) {
      throw new RegisterFormatException(
          "MNVDA declares " + length + " data bytes but carries " + (payload.length - HEADER),
          RegisterStatus.BAD_PARAM);
    }
    return new Mnvda(control, buffer.getInt(4), Arrays.copyOfRange(payload, HEADER, HEADER + length));
  }

  /** The payload bytes. */
  public byte[] encode() {
    ByteBuffer buffer = ByteBuffer.allocate(HEADER + data.length);
    buffer.putInt(0, control);
    buffer.putInt(4, tlvType);
    buffer.put(HEADER, data);
    return buffer.array();
  }

  /** An NV_BASE_MAC_GUID access: a GET (values ignored) or a SET of both values. */
  public static Mnvda baseMacGuid(long mac, long guid) {
    ByteBuffer value = ByteBuffer.allocate(BASE_MAC_GUID_LENGTH);
    value.putInt(0, (int) (mac >>> 32) & 0xFFFF);
    value.putInt(4, (int) mac);
    value.putInt(8, (int) (guid >>> 32));
    value.putInt(12, (int) guid);
    return new Mnvda(BASE_MAC_GUID_LENGTH, NV_BASE_MAC_GUID, value.array());
  }

  /**
   * An NV_BASE_MAC_GUID_CAP value.
   *
   * @param control the header flags (length is set from the data)
   */
  public static Mnvda baseMacGuidCap(int control, int macCount, int guidCount) {
    if (macCount < 0 || macCount > 0xFFFF || guidCount < 0 || guidCount > 0xFFFF) {
      throw new IllegalArgumentException("MAC and GUID counts are 16-bit numbers");
    }
    ByteBuffer value = ByteBuffer.allocate(BASE_MAC_GUID_CAP_LENGTH);
    value.putInt(0, 0xC000_0000); // mac_en, guid_en
    value.putInt(4, (guidCount << 16) | macCount);
    return new Mnvda(control, NV_BASE_MAC_GUID_CAP, value.array());
  }

  /** The header flag bits (the control dword without its length). */
  public int flags() {
    return control & ~0x1FF;
  }

  /** True when the {@code default} bit asks for the factory value. */
  public boolean queryDefault() {
    return (control & DEFAULT_BIT) != 0;
  }

  /** {@code num_of_allocated_macs} of an NV_BASE_MAC_GUID_CAP value. */
  public int allocatedMacs() {
    return ByteBuffer.wrap(data).getInt(4) & 0xFFFF;
  }

  /** {@code num_of_allocated_guids} of an NV_BASE_MAC_GUID_CAP value. */
  public int allocatedGuids() {
    return ByteBuffer.wrap(data).getInt(4) >>> 16;
  }

  /** True for an NV_BASE_MAC_GUID access with its full 16 data bytes. */
  public boolean isBaseMacGuid() {
    return tlvType == NV_BASE_MAC_GUID && data.length == BASE_MAC_GUID_LENGTH;
  }

  /** The 48-bit MAC of an NV_BASE_MAC_GUID TLV. */
  public long mac() {
    ByteBuffer value = ByteBuffer.wrap(data);
    return ((value.getInt(0) & 0xFFFFL) << 32) | (value.getInt(4) & 0xFFFF_FFFFL);
  }

  /** The 64-bit GUID of an NV_BASE_MAC_GUID TLV. */
  public long guid() {
    ByteBuffer value = ByteBuffer.wrap(data);
    return ((long) value.getInt(8) << 32) | (value.getInt(12) & 0xFFFF_FFFFL);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Mnvda that
        && control == that.control
        && tlvType == that.tlvType
        && Arrays.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * control + tlvType) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return String.format("MNVDA[type=0x%x, length=%d]", tlvType, data.length);
  }
}
