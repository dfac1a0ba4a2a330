package dev.kiln.registers.pldm;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A DSP0267 version string: a string type, a length (one byte each, in the fixed part of the
 * message) and the string's bytes (later, in the variable part). Types (DSP0267 1.1.0,
 * "string type" values; libpldm {@code enum pldm_firmware_update_string_type}): 0 unknown,
 * 1 ASCII, 2 UTF-8, 3 UTF-16, 4 UTF-16LE, 5 UTF-16BE.
 *
 * @param type the string type
 * @param bytes at most 255 bytes
 */
public record VersionString(int type, byte[] bytes) {
  public static final int ASCII = 1;
  public static final int UTF_8 = 2;

  /** The empty string a device reports for "no pending version". */
  public static final VersionString EMPTY = new VersionString(0, new byte[0]);

  public VersionString {
    if (type < 0 || type > 5) {
      throw new IllegalArgumentException("string type " + type + " is not 0..5");
    }
    if (bytes.length > 0xFF) {
      throw new IllegalArgumentException("a version string is at most 255 bytes");
    }
    bytes = bytes.clone();
  }

  /** An ASCII version string, e.g. {@code 22.41.1000}. */
  public static VersionString ascii(String text) {
    return new VersionString(ASCII, text.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  public int length() {
    return bytes.length;
  }

  /** The text (ASCII and UTF-8 as such, others as ISO-8859-1 to show something). */
  public String text() {
    return new String(
        bytes, type == ASCII || type == UTF_8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
  }

  /** Reads the string's bytes once the fixed part gave type and length. */
  static VersionString read(ByteBuffer in, int type, int length, String field)
      throws PldmFormatException {
    if (type > 5) {
      throw new PldmFormatException(field + ": string type " + type + " is not 0..5");
    }
    return new VersionString(type, Wire.bytes(in, length, field));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof VersionString v && v.type == type && Arrays.equals(v.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return type * 31 + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return text();
  }
}
