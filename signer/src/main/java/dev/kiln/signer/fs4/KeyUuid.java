package dev.kiln.signer.fs4;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The 16-byte key-pair UUID stored next to an image signature and in each public-key entry.
 *
 * <p>Accepted text (the same rule as mstflint's {@code --key_uuid}): hexadecimal digits, with any
 * number of {@code -}, {@code :} and whitespace characters anywhere in between; exactly 32 digits
 * must remain. The bytes are stored in the order of the digits (no RFC 4122 byte swapping).
 */
public record KeyUuid(byte[] bytes) {
  /** Number of bytes in a key UUID. */
  public static final int LENGTH = 16;

  public KeyUuid {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("a key UUID has 16 bytes, not " + bytes.length);
    }
    bytes = bytes.clone();
  }

  /**
   * Parses a UUID as typed by a user.
   *
   * @throws IllegalArgumentException with a user-grade message when the text is not 32 hex digits
   */
  public static KeyUuid parse(String text) {
    StringBuilder digits = new StringBuilder(32);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '-' || c == ':' || Character.isWhitespace(c)) {
        continue;
      }
      if (Character.digit(c, 16) < 0) {
        throw new IllegalArgumentException(
            "bad key UUID '"
                + text
                + "': only hexadecimal digits and the separators '-' and ':'"
                + " are allowed");
      }
      digits.append(c);
    }
    if (digits.length() != 2 * LENGTH) {
      throw new IllegalArgumentException(
          "bad key UUID '"
              + text
              + "': it must have 32 hexadecimal digits, found "
              + digits.length());
    }
    return new KeyUuid(HexFormat.of().parseHex(digits));
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** True when all 16 bytes are zero (an unset UUID, as the unkeyed digest writes it). */
  public boolean isZero() {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /** The canonical text form: 8-4-4-4-12 lower-case hex digits. */
  @Override
  public String toString() {
    String hex = HexFormat.of().formatHex(bytes);
    return hex.substring(0, 8)
        + "-"
        + hex.substring(8, 12)
        + "-"
        + hex.substring(12, 16)
        + "-"
        + hex.substring(16, 20)
        + "-"
        + hex.substring(20);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KeyUuid that && Arrays.equals(bytes, that.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }
}
