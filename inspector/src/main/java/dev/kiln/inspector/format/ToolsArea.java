package dev.kiln.inspector.format;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The tools area, 0x40 bytes at HW pointer {@code tools_ptr} (fs4-format.md §5).
 *
 * <table>
 *   <caption>Layout</caption>
 *   <tr><th>field</th><th>position</th><th>notes</th></tr>
 *   <tr><td>minor</td><td>0x0.0-7</td><td>not checked by mstflint</td></tr>
 *   <tr><td>major</td><td>0x0.8-15</td><td>not checked</td></tr>
 *   <tr><td>bin_ver_minor</td><td>0x4.0-7</td><td></td></tr>
 *   <tr><td>bin_ver_major</td><td>0x4.8-15</td><td>0.0 or 1.x accepted</td></tr>
 *   <tr><td>log2_img_slot_size</td><td>0x4.16-31</td><td>ITOC address translation (§9.6)</td></tr>
 *   <tr><td>crc</td><td>0x3C.0-15</td><td>CRC16-SW of bytes 0x00..0x3B (upper half free)</td></tr>
 * </table>
 *
 * @param raw the 0x40 bytes as stored (copied in and out)
 */
public record ToolsArea(byte[] raw) implements StoredStructure {
  /** Size of the tools area. */
  public static final int SIZE = 0x40;

  /** The log2 slot size the research images and the writer use. */
  public static final int DEFAULT_LOG2_SLOT_SIZE = 0x16;

  public ToolsArea {
    if (raw.length != SIZE) {
      throw new IllegalArgumentException("tools area is 0x40 bytes, not " + raw.length);
    }
    raw = raw.clone();
  }

  /** Reads the tools area at absolute {@code offset}. */
  public static ToolsArea read(ByteBuffer buffer, int offset) {
    return new ToolsArea(Dwords.copy(buffer, offset, SIZE));
  }

  /** A tools area with the given versions and slot size, reserved bytes 0 and a valid CRC. */
  public static ToolsArea of(int binVerMajor, int binVerMinor, int log2ImgSlotSize) {
    byte[] bytes = new byte[SIZE];
    Dwords.put(
        bytes,
        4,
        ((log2ImgSlotSize & 0xFFFF) << 16) | ((binVerMajor & 0xFF) << 8) | (binVerMinor & 0xFF));
    Dwords.put(bytes, 0x3C, Crc16.sw(bytes, 0, 0x3C));
    return new ToolsArea(bytes);
  }

  @Override
  public byte[] raw() {
    return raw.clone();
  }

  public int minor() {
    return Dwords.get(raw, 0) & 0xFF;
  }

  public int major() {
    return (Dwords.get(raw, 0) >>> 8) & 0xFF;
  }

  public int binVerMinor() {
    return Dwords.get(raw, 4) & 0xFF;
  }

  public int binVerMajor() {
    return (Dwords.get(raw, 4) >>> 8) & 0xFF;
  }

  public int log2ImgSlotSize() {
    return Dwords.get(raw, 4) >>> 16;
  }

  /** The stored CRC (low 16 bits of the dword at 0x3C). */
  public int storedCrc() {
    return Dwords.get(raw, 0x3C) & 0xFFFF;
  }

  /** CRC16-SW over bytes 0x00..0x3B. */
  public int computedCrc() {
    return Crc16.sw(raw, 0, 0x3C);
  }

  public boolean crcOk() {
    return storedCrc() == computedCrc();
  }

  /**
   * True when mstflint accepts the binary version for FS4: 0.0, or major 1 (any minor).
   */
  public boolean binVersionSupported() {
    return (binVerMajor() == 0 && binVerMinor() == 0) || binVerMajor() == 1;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ToolsArea that && Arrays.equals(raw, that.raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return String.format(
        "ToolsArea[binVer=%d.%d, log2ImgSlotSize=0x%x, crc=0x%04x]",
        binVerMajor(), binVerMinor(), log2ImgSlotSize(), storedCrc());
  }
}
