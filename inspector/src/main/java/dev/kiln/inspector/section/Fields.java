package dev.kiln.inspector.section;

import dev.kiln.inspector.format.Dwords;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Shared field helpers for the section layouts: big-endian bit fields, NUL-padded ASCII strings
 * and bounds checks that turn a short body into a {@link SectionFormatException}.
 */
final class Fields {
  private Fields() {}

  /** Copies a section body out of {@code buffer} (position to limit) without moving it. */
  static byte[] remaining(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }

  /** Throws unless {@code body} holds at least {@code needed} bytes. */
  static void requireLength(String section, byte[] body, int needed)
      throws SectionFormatException {
    if (body.length < needed) {
      throw new SectionFormatException(
          String.format(
              "%s is 0x%x bytes, shorter than the 0x%x its layout needs",
              section, body.length, needed));
    }
  }

  /** Bits {@code lo..lo+width-1} (LSB = 0) of the big-endian dword at {@code offset}. */
  static int bits(byte[] body, int offset, int lo, int width) {
    int dword = Dwords.get(body, offset);
    return width == 32 ? dword : (dword >>> lo) & ((1 << width) - 1);
  }

  /** Sets bits {@code lo..lo+width-1} of the dword at {@code offset} to {@code value}. */
  static void putBits(byte[] body, int offset, int lo, int width, int value) {
    if (width == 32) {
      Dwords.put(body, offset, value);
      return;
    }
    int mask = ((1 << width) - 1) << lo;
    int dword = Dwords.get(body, offset);
    Dwords.put(body, offset, (dword & ~mask) | ((value << lo) & mask));
  }

  /**
   * The ASCII string in {@code [offset, offset + length)}: bytes up to the first NUL, decoded as
   * ISO-8859-1 so that garbage never fails to decode.
   */
  static String string(byte[] body, int offset, int length) {
    int end = offset;
    while (end < offset + length && body[end] != 0) {
      end++;
    }
    return new String(body, offset, end - offset, StandardCharsets.ISO_8859_1);
  }

  /**
   * Stores {@code value} NUL-padded in a field of {@code length} bytes.
   *
   * @throws IllegalArgumentException if it is not printable ASCII or longer than the field
   */
  static void putString(byte[] body, int offset, int length, String field, String value) {
    byte[] ascii = checkedAscii(field, value, length);
    System.arraycopy(ascii, 0, body, offset, ascii.length);
    for (int i = ascii.length; i < length; i++) {
      body[offset + i] = 0;
    }
  }

  /**
   * The ASCII bytes of {@code value}.
   *
   * @throws IllegalArgumentException if it holds a non-printable or non-ASCII character, or is
   *     longer than {@code maxLength}
   */
  static byte[] checkedAscii(String field, String value, int maxLength) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        throw new IllegalArgumentException(
            String.format("%s holds character U+%04X; only printable ASCII fits", field, (int) c));
      }
    }
    if (value.length() > maxLength) {
      throw new IllegalArgumentException(
          field + " is " + value.length() + " characters; the field holds " + maxLength);
    }
    return value.getBytes(StandardCharsets.US_ASCII);
  }

  /** Copies {@code length} bytes at {@code offset}. */
  static byte[] slice(byte[] body, int offset, int length) {
    byte[] copy = new byte[length];
    System.arraycopy(body, offset, copy, 0, length);
    return copy;
  }

  /** Throws unless {@code value} has exactly {@code length} bytes. */
  static byte[] exact(String field, byte[] value, int length) {
    if (value.length != length) {
      throw new IllegalArgumentException(
          field + " must be " + length + " bytes, not " + value.length);
    }
    return value.clone();
  }

  /** Lower-case hex of {@code bytes}. */
  static String hex(byte[] bytes) {
    StringBuilder text = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      text.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
    }
    return text.toString();
  }
}
