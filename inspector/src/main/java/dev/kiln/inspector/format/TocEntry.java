package dev.kiln.inspector.format;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One ITOC or DTOC entry, 0x20 bytes (fs4-format.md §9.3). Field positions are {@code
 * dword.lowbit-highbit} of big-endian dwords.
 *
 * <table>
 *   <caption>Layout</caption>
 *   <tr><th>field</th><th>position</th><th>notes</th></tr>
 *   <tr><td>type</td><td>0x0.24-31</td><td>section type; 0xFF ends the list</td></tr>
 *   <tr><td>size</td><td>0x0.2-23</td><td>section size in dwords</td></tr>
 *   <tr><td>param0</td><td>0x4.0-29</td><td></td></tr>
 *   <tr><td>cache_line_crc</td><td>0x4.30</td><td>68-byte lines with per-line check bytes</td></tr>
 *   <tr><td>zipped_image</td><td>0x4.31</td><td></td></tr>
 *   <tr><td>param1</td><td>0x8</td><td>32 bits</td></tr>
 *   <tr><td>version</td><td>0x10.0-15</td><td></td></tr>
 *   <tr><td>flash_addr</td><td>0x14.2-30</td><td>address in dwords (ITOC: contiguous address,
 *       §9.6; DTOC: file offset)</td></tr>
 *   <tr><td>section_crc</td><td>0x18.0-15</td><td>CRC16-SW of the body when crc mode is 0</td></tr>
 *   <tr><td>crc (mode)</td><td>0x18.16-18</td><td>0 in entry, 1 none, 2 in the body's last
 *       dword; 3..7 undefined (mstflint checks nothing)</td></tr>
 *   <tr><td>encrypted_section</td><td>0x18.31</td><td></td></tr>
 *   <tr><td>itoc_entry_crc</td><td>0x1C.0-15</td><td>CRC16-SW of bytes 0x00..0x1B</td></tr>
 * </table>
 *
 * <p>FS3 (ConnectX-4) entries have the same size, type, flash_addr, section_crc and entry CRC, and
 * three bits of their own (fs4-format.md §9.3, §18; mstflint 4.21 tools_layouts/cibfw_layouts.h,
 * {@code struct cibfw_itoc_entry}, as read by mlxfwops/lib/fs3_ops.cpp Fs3Operations::VerifyTOC):
 * relative_addr at 0x14.31 (1: flash_addr is a contiguous address inside the image; 0: an
 * absolute flash address), no_crc at 0x18.16 (the body's CRC is not checked) and device_data at
 * 0x18.17 (the section belongs to the device, not to the firmware image). FS3 has no
 * "CRC in the section" mode and no entry version field.
 *
 * @param raw the 0x20 bytes as stored (copied in and out)
 */
public record TocEntry(byte[] raw) implements StoredStructure {
  /** Size of an entry. */
  public static final int SIZE = 0x20;

  /** Type code of the END entry. */
  public static final int END_TYPE = 0xFF;

  /** Most non-END entries mstflint accepts in one table. */
  public static final int MAX_ENTRIES = 63;

  /** CRC mode: CRC in the entry's section_crc field. */
  public static final int CRC_IN_ENTRY = 0;

  /** CRC mode: no CRC. */
  public static final int CRC_NONE = 1;

  /** CRC mode: CRC in the low 16 bits of the section's last dword. */
  public static final int CRC_IN_SECTION = 2;

  /** FS3 relative_addr bit of the flash_addr dword (0x14.31). */
  private static final int FS3_RELATIVE_ADDR = 1 << 31;

  /** Largest section size the 22-bit size field can express, in bytes. */
  public static final long MAX_SECTION_SIZE = 0x3FFFFFL * 4;

  public TocEntry {
    if (raw.length != SIZE) {
      throw new IllegalArgumentException("TOC entry is 0x20 bytes, not " + raw.length);
    }
    raw = raw.clone();
  }

  /** Reads an entry at absolute {@code offset}. */
  public static TocEntry read(ByteBuffer buffer, int offset) {
    return new TocEntry(Dwords.copy(buffer, offset, SIZE));
  }

  /** The END entry as mstflint writes it: 32 bytes of 0xFF. */
  public static TocEntry end() {
    byte[] bytes = new byte[SIZE];
    Arrays.fill(bytes, (byte) 0xFF);
    return new TocEntry(bytes);
  }

  /**
   * A new entry with every other field 0 and a valid entry CRC.
   *
   * @param type section type code
   * @param address section address in bytes (dword aligned)
   * @param size section size in bytes (dword aligned)
   * @param crcMode 0, 1 or 2
   * @param sectionCrc CRC16-SW of the body (used with mode 0; pass 0 otherwise)
   */
  public static TocEntry of(int type, long address, long size, int crcMode, int sectionCrc) {
    if ((address & 3) != 0 || address < 0 || address > 0x7FFFFFFCL) {
      throw new IllegalArgumentException("section address 0x" + Long.toHexString(address));
    }
    if ((size & 3) != 0 || size < 0 || size > MAX_SECTION_SIZE) {
      throw new IllegalArgumentException("section size 0x" + Long.toHexString(size));
    }
    byte[] bytes = new byte[SIZE];
    Dwords.put(bytes, 0, ((type & 0xFF) << 24) | (int) size);
    Dwords.put(bytes, 0x14, (int) address);
    Dwords.put(bytes, 0x18, ((crcMode & 7) << 16) | (sectionCrc & 0xFFFF));
    return new TocEntry(withEntryCrc(bytes));
  }

  /**
   * A new FS3 entry (see the class comment) with every other field 0 and a valid entry CRC.
   *
   * @param type section type code
   * @param address section address in bytes (dword aligned): contiguous when {@code relative},
   *     else an absolute file offset
   * @param size section size in bytes (dword aligned)
   * @param relative the relative_addr bit
   * @param deviceData the device_data bit
   * @param sectionCrc CRC16-SW of the body
   */
  public static TocEntry fs3(
      int type, long address, long size, boolean relative, boolean deviceData, int sectionCrc) {
    TocEntry plain = of(type, address, size, deviceData ? CRC_IN_SECTION : CRC_IN_ENTRY,
        sectionCrc);
    byte[] bytes = plain.raw();
    if (relative) {
      Dwords.put(bytes, 0x14, Dwords.get(bytes, 0x14) | FS3_RELATIVE_ADDR);
    }
    return new TocEntry(withEntryCrc(bytes));
  }

  /** A copy with the section CRC field replaced and the entry CRC recomputed. */
  public TocEntry withSectionCrc(int sectionCrc) {
    byte[] bytes = raw.clone();
    int dword = Dwords.get(bytes, 0x18);
    Dwords.put(bytes, 0x18, (dword & 0xFFFF0000) | (sectionCrc & 0xFFFF));
    return new TocEntry(withEntryCrc(bytes));
  }

  /** A copy with the cache_line_crc flag set or cleared and the entry CRC recomputed. */
  public TocEntry withCacheLineCrc(boolean cacheLineCrc) {
    byte[] bytes = raw.clone();
    int dword = Dwords.get(bytes, 4);
    Dwords.put(bytes, 4, cacheLineCrc ? dword | (1 << 30) : dword & ~(1 << 30));
    return new TocEntry(withEntryCrc(bytes));
  }

  /** A copy with the entry CRC recomputed (upper half of its dword kept). */
  public TocEntry withEntryCrcFixed() {
    return new TocEntry(withEntryCrc(raw.clone()));
  }

  private static byte[] withEntryCrc(byte[] bytes) {
    int dword = Dwords.get(bytes, 0x1C);
    Dwords.put(bytes, 0x1C, (dword & 0xFFFF0000) | Crc16.sw(bytes, 0, 0x1C));
    return bytes;
  }

  @Override
  public byte[] raw() {
    return raw.clone();
  }

  public int type() {
    return (raw[0] & 0xFF);
  }

  /** True for the entry that terminates the list. */
  public boolean isEnd() {
    return type() == END_TYPE;
  }

  /** Section size in dwords. */
  public int sizeDwords() {
    return (Dwords.get(raw, 0) >>> 2) & 0x3FFFFF;
  }

  /** Section size in bytes. */
  public long sizeBytes() {
    return sizeDwords() * 4L;
  }

  public int param0() {
    return Dwords.get(raw, 4) & 0x3FFFFFFF;
  }

  public boolean cacheLineCrc() {
    return (Dwords.get(raw, 4) & (1 << 30)) != 0;
  }

  public boolean zippedImage() {
    return Dwords.get(raw, 4) < 0;
  }

  public int param1() {
    return Dwords.get(raw, 8);
  }

  public int version() {
    return Dwords.get(raw, 0x10) & 0xFFFF;
  }

  /** Section address in dwords. */
  public int flashAddrDwords() {
    return (Dwords.get(raw, 0x14) >>> 2) & 0x1FFFFFFF;
  }

  /** Section address in bytes (ITOC: contiguous address; DTOC: file offset). */
  public long flashAddrBytes() {
    return flashAddrDwords() * 4L;
  }

  /** The section CRC field (used with crc mode 0). */
  public int sectionCrc() {
    return Dwords.get(raw, 0x18) & 0xFFFF;
  }

  /** FS3: the relative_addr bit (0x14.31); flash_addr is then a contiguous address. */
  public boolean fs3RelativeAddr() {
    return (Dwords.get(raw, 0x14) & FS3_RELATIVE_ADDR) != 0;
  }

  /** FS3: the no_crc bit (0x18.16), the same bit as FS4's crc mode 1. */
  public boolean fs3NoCrc() {
    return (Dwords.get(raw, 0x18) & (1 << 16)) != 0;
  }

  /** FS3: the device_data bit (0x18.17), the same bit as FS4's crc mode 2. */
  public boolean fs3DeviceData() {
    return (Dwords.get(raw, 0x18) & (1 << 17)) != 0;
  }

  /** The crc mode field, 0..7. */
  public int crcMode() {
    return (Dwords.get(raw, 0x18) >>> 16) & 7;
  }

  public boolean encryptedSection() {
    return Dwords.get(raw, 0x18) < 0;
  }

  /** Stored entry CRC (low 16 bits of the dword at 0x1C). */
  public int storedEntryCrc() {
    return Dwords.get(raw, 0x1C) & 0xFFFF;
  }

  /** CRC16-SW of bytes 0x00..0x1B. */
  public int computedEntryCrc() {
    return Crc16.sw(raw, 0, 0x1C);
  }

  public boolean entryCrcOk() {
    return storedEntryCrc() == computedEntryCrc();
  }

  /** The name mstflint prints for this entry's type. */
  public String typeName() {
    return SectionType.nameOf(type());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TocEntry that && Arrays.equals(raw, that.raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return String.format(
        "TocEntry[%s, addr=0x%x, size=0x%x, crcMode=%d, crc=0x%04x]",
        typeName(), flashAddrBytes(), sizeBytes(), crcMode(), sectionCrc());
  }
}
