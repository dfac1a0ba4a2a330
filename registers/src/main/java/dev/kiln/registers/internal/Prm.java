package dev.kiln.registers.internal;

import dev.kiln.registers.RegisterFormatException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Bit access in the PRM layout (protocol doc §0): a field {@code 0xOO.L-0xOO.M} is bits L..M of
 * the big-endian dword at byte offset {@code 0xOO}, bit 0 being the least significant.
 *
 * <p>Not API: only the register records of {@code dev.kiln.registers} use it.
 */
public final class Prm {
  private Prm() {}

  /** Reads an unsigned field of {@code width} bits starting at bit {@code low} of a dword. */
  public static long get(byte[] reg, int dwordOffset, int low, int width) {
    long dword = u32(reg, dwordOffset);
    long mask = width == 32 ? 0xFFFF_FFFFL : (1L << width) - 1;
    return (dword >>> low) & mask;
  }

  /** Reads a one-bit flag. */
  public static boolean flag(byte[] reg, int dwordOffset, int bit) {
    return get(reg, dwordOffset, bit, 1) != 0;
  }

  /** Reads the big-endian unsigned dword at a byte offset. */
  public static long u32(byte[] reg, int offset) {
    return ((reg[offset] & 0xFFL) << 24)
        | ((reg[offset + 1] & 0xFFL) << 16)
        | ((reg[offset + 2] & 0xFFL) << 8)
        | (reg[offset + 3] & 0xFFL);
  }

  /** Reads a big-endian 64-bit field (a field spanning two dwords). */
  public static long u64(byte[] reg, int offset) {
    return (u32(reg, offset) << 32) | u32(reg, offset + 4);
  }

  /**
   * Writes {@code value} into bits {@code low..low+width-1} of a dword, keeping the other bits.
   *
   * @throws IllegalArgumentException if the value does not fit the field
   */
  public static void set(byte[] reg, int dwordOffset, int low, int width, long value) {
    long mask = width == 32 ? 0xFFFF_FFFFL : (1L << width) - 1;
    if ((value & ~mask) != 0) {
      throw new IllegalArgumentException(
          "value 0x" + Long.toHexString(value) + " does not fit a " + width + "-bit field");
    }
    long dword = u32(reg, dwordOffset);
    dword = (dword & ~(mask << low)) | (value << low);
    putU32(reg, dwordOffset, dword);
  }

  /** Sets or clears a one-bit flag. */
  public static void setFlag(byte[] reg, int dwordOffset, int bit, boolean value) {
    set(reg, dwordOffset, bit, 1, value ? 1 : 0);
  }

  /** Writes a big-endian dword. */
  public static void putU32(byte[] reg, int offset, long value) {
    reg[offset] = (byte) (value >>> 24);
    reg[offset + 1] = (byte) (value >>> 16);
    reg[offset + 2] = (byte) (value >>> 8);
    reg[offset + 3] = (byte) value;
  }

  /** Writes a big-endian 64-bit value. */
  public static void putU64(byte[] reg, int offset, long value) {
    putU32(reg, offset, value >>> 32);
    putU32(reg, offset + 4, value & 0xFFFF_FFFFL);
  }

  /** Reads a NUL-padded ASCII string of at most {@code length} bytes. */
  public static String ascii(byte[] reg, int offset, int length) {
    int end = offset;
    while (end < offset + length && reg[end] != 0) {
      end++;
    }
    return new String(reg, offset, end - offset, StandardCharsets.US_ASCII);
  }

  /**
   * Writes an ASCII string NUL-padded into {@code length} bytes.
   *
   * @throws IllegalArgumentException if the string is longer than the field
   */
  public static void putAscii(byte[] reg, int offset, int length, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    if (bytes.length > length) {
      throw new IllegalArgumentException(
          "string of " + bytes.length + " bytes does not fit a " + length + "-byte field");
    }
    Arrays.fill(reg, offset, offset + length, (byte) 0);
    System.arraycopy(bytes, 0, reg, offset, bytes.length);
  }

  /**
   * Checks that a payload holds at least a register's size.
   *
   * @throws RegisterFormatException naming both sizes when it is shorter
   */
  public static void requireLength(String name, byte[] payload, int size)
      throws RegisterFormatException {
    if (payload == null || payload.length < size) {
      throw new RegisterFormatException(
          name
              + " payload is "
              + (payload == null ? 0 : payload.length)
              + " bytes, the register needs "
              + size,
          dev.kiln.registers.RegisterStatus.LEN_TOO_SMALL);
    }
  }

  /** Checks that an int fits an unsigned field of {@code width} bits. */
  public static int checkField(String name, int value, int width) {
    if (value < 0 || (width < 32 && value >= (1 << width))) {
      throw new IllegalArgumentException(name + " " + value + " does not fit " + width + " bits");
    }
    return value;
  }

  /** Checks that a long fits an unsigned field of {@code width} bits. */
  public static long checkField(String name, long value, int width) {
    if (value < 0 || (width < 64 && value >= (1L << width))) {
      throw new IllegalArgumentException(name + " " + value + " does not fit " + width + " bits");
    }
    return value;
  }
}
