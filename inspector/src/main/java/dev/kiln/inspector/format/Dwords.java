package dev.kiln.inspector.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Big-endian dword access on buffers whose byte order the caller may have changed. The FS4 format
 * is big-endian throughout (fs4-format.md §1); these helpers never move a buffer's position.
 */
public final class Dwords {
  private Dwords() {}

  /** The big-endian dword at absolute index {@code offset}. */
  public static int get(ByteBuffer buffer, int offset) {
    int value = buffer.getInt(offset);
    return buffer.order() == ByteOrder.BIG_ENDIAN ? value : Integer.reverseBytes(value);
  }

  /** The big-endian dword at {@code offset} of {@code bytes}. */
  public static int get(byte[] bytes, int offset) {
    return ((bytes[offset] & 0xFF) << 24)
        | ((bytes[offset + 1] & 0xFF) << 16)
        | ((bytes[offset + 2] & 0xFF) << 8)
        | (bytes[offset + 3] & 0xFF);
  }

  /** Stores {@code value} big-endian at {@code offset} of {@code bytes}. */
  public static void put(byte[] bytes, int offset, int value) {
    bytes[offset] = (byte) (value >>> 24);
    bytes[offset + 1] = (byte) (value >>> 16);
    bytes[offset + 2] = (byte) (value >>> 8);
    bytes[offset + 3] = (byte) value;
  }

  /** Copies {@code length} bytes at absolute index {@code offset} out of {@code buffer}. */
  public static byte[] copy(ByteBuffer buffer, int offset, int length) {
    checkRange(buffer, offset, length);
    byte[] bytes = new byte[length];
    buffer.get(offset, bytes, 0, length);
    return bytes;
  }

  /** True when {@code [offset, offset + length)} lies inside a buffer of {@code limit} bytes. */
  public static boolean fits(long offset, long length, long limit) {
    return offset >= 0 && length >= 0 && offset <= limit && length <= limit - offset;
  }

  /**
   * Throws if {@code [offset, offset + length)} is not inside {@code buffer}.
   *
   * @throws IllegalArgumentException naming both the range and the buffer size
   */
  public static void checkRange(ByteBuffer buffer, int offset, int length) {
    if (!fits(offset, length, buffer.limit())) {
      throw new IllegalArgumentException(
          String.format(
              "range 0x%x+0x%x is outside the %d-byte buffer", offset, length, buffer.limit()));
    }
  }
}
