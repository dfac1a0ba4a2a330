package dev.kiln.inspector.format;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The 16 HW pointer entries at image start + 0x18 (fs4-format.md §4, §2.2).
 *
 * <table>
 *   <caption>One 8-byte entry</caption>
 *   <tr><th>offset</th><th>size</th><th>content</th></tr>
 *   <tr><td>0x0</td><td>4</td><td>pointer value (byte offset relative to the image start)</td></tr>
 *   <tr><td>0x4</td><td>4</td><td>CRC dword: low 16 bits = CRC16-HW of entry bytes 0..5; the
 *       whole dword is compared, so its upper half must be 0</td></tr>
 * </table>
 *
 * <p>An entry whose pointer dword is 0xFFFFFFFF (erased flash) is read by mstflint's verify and
 * query as "pointer 0, CRC valid", whatever its CRC dword holds (checked against mstflint 4.21);
 * {@link #crcOk(int)} follows that rule and {@link #value(int)} then returns 0.
 *
 * @param raw the 128 bytes of the table as stored (copied in and out)
 */
public record HwPointers(byte[] raw) implements StoredStructure {
  /** Number of entries. */
  public static final int COUNT = 16;

  /** Size of one entry. */
  public static final int ENTRY_SIZE = 8;

  /** Size of the table. */
  public static final int SIZE = COUNT * ENTRY_SIZE;

  public HwPointers {
    if (raw.length != SIZE) {
      throw new IllegalArgumentException(
          "HW pointer table is " + SIZE + " bytes, not " + raw.length);
    }
    raw = raw.clone();
  }

  /** Reads the table at absolute {@code offset} (normally image start + 0x18). */
  public static HwPointers read(ByteBuffer buffer, int offset) {
    return new HwPointers(Dwords.copy(buffer, offset, SIZE));
  }

  /** A table holding {@code values} (16 entries) with every CRC computed. */
  public static HwPointers of(int... values) {
    if (values.length != COUNT) {
      throw new IllegalArgumentException(
          "need " + COUNT + " HW pointer values, got " + values.length);
    }
    byte[] bytes = new byte[SIZE];
    for (int i = 0; i < COUNT; i++) {
      Dwords.put(bytes, i * ENTRY_SIZE, values[i]);
      Dwords.put(bytes, i * ENTRY_SIZE + 4, Crc16.hw(bytes, i * ENTRY_SIZE, 6));
    }
    return new HwPointers(bytes);
  }

  /** A copy of this table with {@code pointer} set to {@code value} and its CRC recomputed. */
  public HwPointers with(HwPointer pointer, int value) {
    byte[] bytes = raw.clone();
    int at = pointer.index() * ENTRY_SIZE;
    Dwords.put(bytes, at, value);
    Dwords.put(bytes, at + 4, 0);
    Dwords.put(bytes, at + 4, Crc16.hw(bytes, at, 6));
    return new HwPointers(bytes);
  }

  @Override
  public byte[] raw() {
    return raw.clone();
  }

  /** The pointer dword of entry {@code index} as stored. */
  public int rawValue(int index) {
    return Dwords.get(raw, Objects.checkIndex(index, COUNT) * ENTRY_SIZE);
  }

  /** The effective pointer value: the stored dword, or 0 for an erased (0xFFFFFFFF) pointer. */
  public int value(int index) {
    return isErased(index) ? 0 : rawValue(index);
  }

  /** The effective value of {@code pointer}. */
  public int value(HwPointer pointer) {
    return value(pointer.index());
  }

  /** The stored CRC dword of entry {@code index} (all 32 bits). */
  public int storedCrc(int index) {
    return Dwords.get(raw, Objects.checkIndex(index, COUNT) * ENTRY_SIZE + 4);
  }

  /** CRC16-HW of entry bytes 0..5, as it should be stored. */
  public int computedCrc(int index) {
    return Crc16.hw(raw, Objects.checkIndex(index, COUNT) * ENTRY_SIZE, 6);
  }

  /**
   * True when the pointer dword is 0xFFFFFFFF: verify and query then use pointer 0 and skip the
   * CRC (mstflint's {@code sign_with_hmac} does not, and fails on such an entry).
   */
  public boolean isErased(int index) {
    return rawValue(index) == -1;
  }

  /** True when entry {@code index} passes mstflint's check (whole CRC dword, or erased). */
  public boolean crcOk(int index) {
    return isErased(index) || storedCrc(index) == computedCrc(index);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof HwPointers that && Arrays.equals(raw, that.raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("HwPointers[");
    for (int i = 0; i < COUNT; i++) {
      text.append(i == 0 ? "" : ", ").append(String.format("0x%x", rawValue(i)));
    }
    return text.append(']').toString();
  }
}
