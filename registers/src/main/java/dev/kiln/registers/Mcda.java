package dev.kiln.registers;

import dev.kiln.registers.internal.Prm;
import java.util.Arrays;

/**
 * MCDA, Management Component Data Access (0x9063, 144 bytes): one chunk of component data
 * (protocol doc §1.6, §2.7).
 *
 * <pre>
 * Field           Bits / bytes
 * update_handle   0x00.0-23
 * offset          0x04.0-31   (bytes from the component start)
 * size            0x08.0-15   (bytes in this chunk, at most 128)
 * data            0x10..0x8F  (32 dwords)
 * </pre>
 *
 * <p><b>Byte order.</b> Every host in the wild reads image dword i little-endian and stores it
 * big-endian, so register bytes {@code 4i..4i+3} are image bytes {@code 4i+3, 4i+2, 4i+1, 4i}.
 * {@link #data()} is the register order; {@link #fromImage} and {@link #imageBytes()} apply and undo
 * the reversal.
 *
 * @param data the 128-byte data field in register order (zero padded)
 */
public record Mcda(int updateHandle, long offset, int size, byte[] data) {

  public static final int SIZE = 0x90;
  /** Bytes in the data field: the chunk size over ICMD. */
  public static final int MAX_DATA = 128;

  private static final int DATA_OFFSET = 0x10;

  public Mcda {
    Prm.checkField("update_handle", updateHandle, 24);
    Prm.checkField("offset", offset, 32);
    Prm.checkField("size", size, 16);
    if (data == null || data.length > MAX_DATA) {
      throw new IllegalArgumentException("MCDA data is at most " + MAX_DATA + " bytes");
    }
    data = Arrays.copyOf(data, MAX_DATA);
  }

  /**
   * A write chunk from image bytes {@code image[from .. from+length)}, reversing each 4-byte group.
   * A length that is not a whole number of dwords is padded with zero bytes in the last group.
   */
  public static Mcda fromImage(
      int updateHandle, long offset, byte[] image, int from, int length) {
    if (length > MAX_DATA) {
      throw new IllegalArgumentException("MCDA chunk is at most " + MAX_DATA + " bytes");
    }
    byte[] data = new byte[MAX_DATA];
    swapInto(image, from, data, 0, length);
    return new Mcda(updateHandle, offset, length, data);
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  /** The {@link #size()} image bytes this chunk carries, with the 4-byte reversal undone. */
  public byte[] imageBytes() {
    byte[] out = new byte[Math.min(size, MAX_DATA)];
    copyImageBytes(out, 0);
    return out;
  }

  /** Writes {@link #imageBytes()} into {@code target} at {@code at} without an extra copy. */
  public void copyImageBytes(byte[] target, int at) {
    swapInto(data, 0, target, at, Math.min(size, MAX_DATA));
  }

  /**
   * Reverses each 4-byte group of {@code length} bytes from {@code src} into {@code dst}. The
   * transformation is its own inverse. A trailing partial group is filled as if zero padded.
   */
  public static void swapInto(byte[] src, int from, byte[] dst, int at, int length) {
    int whole = length & ~3;
    for (int i = 0; i < whole; i += 4) {
      dst[at + i] = src[from + i + 3];
      dst[at + i + 1] = src[from + i + 2];
      dst[at + i + 2] = src[from + i + 1];
      dst[at + i + 3] = src[from + i];
    }
    int rest = length - whole;
    if (rest > 0) {
      // A trailing partial dword travels as a whole zero-padded dword: reverse the padded group
      // and copy as much of it as the destination holds.
      byte[] group = new byte[4];
      int available = Math.min(4, src.length - from - whole);
      System.arraycopy(src, from + whole, group, 0, available);
      int room = Math.min(4, dst.length - at - whole);
      for (int j = 0; j < room; j++) {
        dst[at + whole + j] = group[3 - j];
      }
    }
  }

  /** Decodes the first {@link #SIZE} bytes of a payload. */
  public static Mcda decode(byte[] reg) throws RegisterFormatException {
    Prm.requireLength("MCDA", reg, SIZE);
    return new Mcda(
        (int) Prm.get(reg, 0x00, 0, 24),
        Prm.u32(reg, 0x04),
        (int) Prm.get(reg, 0x08, 0, 16),
        Arrays.copyOfRange(reg, DATA_OFFSET, DATA_OFFSET + MAX_DATA));
  }

  /** The {@link #SIZE}-byte payload. */
  public byte[] encode() {
    byte[] reg = new byte[SIZE];
    Prm.set(reg, 0x00, 0, 24, updateHandle);
    Prm.putU32(reg, 0x04, offset);
    Prm.set(reg, 0x08, 0, 16, size);
    System.arraycopy(data, 0, reg, DATA_OFFSET, MAX_DATA);
    return reg;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Mcda that
        && updateHandle == that.updateHandle
        && offset == that.offset
        && size == that.size
        && Arrays.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(offset) * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Mcda[handle=" + updateHandle + ", offset=" + offset + ", size=" + size + "]";
  }
}
