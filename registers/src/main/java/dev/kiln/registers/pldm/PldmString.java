package dev.kiln.registers.pldm;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A DSP0267 string field: a string type byte (0 unknown, 1 ASCII, 2 UTF-8, 3 UTF-16 with byte
 * order mark, 4 UTF-16LE, 5 UTF-16BE; DSP0267 1.3.0, "PLDM for Firmware Update string types")
 * and the stored bytes, kept as stored so that a package is written back unchanged. The same
 * record carries the version strings of the firmware-update messages (libpldm {@code enum
 * pldm_firmware_update_string_type}), whose type and length sit in the fixed part of a message
 * and whose bytes come later.
 */
public record PldmString(int type, byte[] bytes) {
  public static final int UNKNOWN = 0;
  public static final int ASCII = 1;
  public static final int UTF_8 = 2;
  public static final int UTF_16 = 3;
  public static final int UTF_16LE = 4;
  public static final int UTF_16BE = 5;

  public PldmString {
    if (type < 0 || type > UTF_16BE) {
      throw new IllegalArgumentException("string type " + type + " is not defined by DSP0267");
    }
    if (bytes.length > 255) {
      throw new IllegalArgumentException("a DSP0267 string holds at most 255 bytes");
    }
    bytes = bytes.clone();
  }

  /** An ASCII string, the only type OpenBMC's package creator writes. */
  public static PldmString ascii(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) > 0x7e || text.charAt(i) < 0x20) {
        throw new IllegalArgumentException("not printable ASCII: " + text);
      }
    }
    return new PldmString(ASCII, text.getBytes(StandardCharsets.US_ASCII));
  }

  /** The empty string of unknown type, as an absent optional string is stored. */
  public static PldmString empty() {
    return new PldmString(UNKNOWN, new byte[0]);
  }

  /** Reads a message's string bytes once its fixed part gave type and length. */
  static PldmString read(ByteBuffer in, int type, int length, String field)
      throws PldmFormatException {
    if (type > UTF_16BE) {
      throw new PldmFormatException(field + ": string type " + type + " is not 0..5");
    }
    return new PldmString(type, Wire.bytes(in, length, field));
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  public int length() {
    return bytes.length;
  }

  /** The text, decoded by its type (unknown types as ISO-8859-1, so every byte shows). */
  public String text() {
    return new String(bytes, charset());
  }

  private Charset charset() {
    return switch (type) {
      case ASCII -> StandardCharsets.US_ASCII;
      case UTF_8 -> StandardCharsets.UTF_8;
      case UTF_16 -> StandardCharsets.UTF_16;
      case UTF_16LE -> StandardCharsets.UTF_16LE;
      case UTF_16BE -> StandardCharsets.UTF_16BE;
      default -> StandardCharsets.ISO_8859_1;
    };
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PldmString that && type == that.type && Arrays.equals(bytes, that.bytes);
  }

  @Override
  public int hashCode() {
    return 31 * type + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return text();
  }
}
