package dev.kiln.packages;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A bounded reader over a window {@code [start, end)} of a byte array, in one byte order. Every
 * read checks the bytes it needs against what is left of the window first and throws a {@link
 * PackageFormatException} naming the source, the field, the offset, what it needs and what is
 * left; so no length read from a package can make a reader allocate or look outside the window.
 * Offsets in messages are absolute offsets in the array (the file).
 */
public final class ByteCursor {
  private final byte[] data;
  private final int end;
  private final ByteOrder order;
  private final String source;
  private int position;

  private ByteCursor(byte[] data, int start, int end, ByteOrder order, String source) {
    this.data = data;
    this.position = start;
    this.end = end;
    this.order = order;
    this.source = source;
  }

  /** A cursor over all of {@code data}. */
  public static ByteCursor over(byte[] data, ByteOrder order, String source) {
    return new ByteCursor(data, 0, data.length, order, source);
  }

  /**
   * A cursor over the next {@code length} bytes of this one, which this cursor then skips: the
   * way a length-prefixed structure is read without trusting its own fields to stay inside.
   */
  public ByteCursor window(long length, String field) throws PackageFormatException {
    require(length, field);
    ByteCursor inner = new ByteCursor(data, position, position + (int) length, order, source);
    position += (int) length;
    return inner;
  }

  /** A cursor over {@code [offset, offset + length)} of the same array, checked against its size. */
  public ByteCursor at(long offset, long length, String field) throws PackageFormatException {
    if (offset < 0 || length < 0 || offset > data.length || length > data.length - offset) {
      throw new PackageFormatException(
          String.format(
              "%s: %s at offset %d, %d bytes, lies outside the %d-byte file",
              source, field, offset, length, data.length));
    }
    return new ByteCursor(data, (int) offset, (int) (offset + length), order, source);
  }

  public int position() {
    return position;
  }

  public int remaining() {
    return end - position;
  }

  public String source() {
    return source;
  }

  public int u8(String field) throws PackageFormatException {
    require(1, field);
    return data[position++] & 0xff;
  }

  public int u16(String field) throws PackageFormatException {
    require(2, field);
    int value = buffer(2).getShort() & 0xffff;
    position += 2;
    return value;
  }

  public int s16(String field) throws PackageFormatException {
    require(2, field);
    int value = buffer(2).getShort();
    position += 2;
    return value;
  }

  public int u24(String field) throws PackageFormatException {
    require(3, field);
    int b0 = data[position] & 0xff;
    int b1 = data[position + 1] & 0xff;
    int b2 = data[position + 2] & 0xff;
    position += 3;
    return order == ByteOrder.LITTLE_ENDIAN ? b0 | b1 << 8 | b2 << 16 : b0 << 16 | b1 << 8 | b2;
  }

  public long u32(String field) throws PackageFormatException {
    require(4, field);
    long value = buffer(4).getInt() & 0xffffffffL;
    position += 4;
    return value;
  }

  public long u64(String field) throws PackageFormatException {
    require(8, field);
    long value = buffer(8).getLong();
    position += 8;
    return value;
  }

  /** The next {@code length} bytes, copied (the length is checked before anything is allocated). */
  public byte[] bytes(long length, String field) throws PackageFormatException {
    require(length, field);
    byte[] copy = Arrays.copyOfRange(data, position, position + (int) length);
    position += (int) length;
    return copy;
  }

  public void skip(long length, String field) throws PackageFormatException {
    require(length, field);
    position += (int) length;
  }

  /** Throws unless every byte of the window was read: trailing bytes mean a wrong length field. */
  public void requireConsumed(String structure) throws PackageFormatException {
    if (position != end) {
      throw failure(
          String.format("%s has %d unexplained bytes at its end", structure, end - position));
    }
  }

  /** A failure at the current offset, for a field whose value (not length) is wrong. */
  public PackageFormatException failure(String message) {
    return new PackageFormatException(
        String.format("%s: %s (offset 0x%x)", source, message, position));
  }

  private void require(long length, String field) throws PackageFormatException {
    if (length < 0 || length > end - position) {
      throw new PackageFormatException(
          String.format(
              "%s: %s needs %d bytes at offset 0x%x, only %d left",
              source, field, length, position, end - position));
    }
  }

  private ByteBuffer buffer(int length) {
    return ByteBuffer.wrap(data, position, length).order(order);
  }
}
