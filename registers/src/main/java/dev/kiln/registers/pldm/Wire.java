package dev.kiln.registers.pldm;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Little-endian field access for PLDM payloads (DSP0240 "Data types": every multi-byte number is
 * little-endian). Reads are bounded by the payload: running past its end is a {@link
 * PldmFormatException}, never an out-of-range read.
 */
final class Wire {
  private Wire() {}

  /** A little-endian view of {@code payload}. */
  static ByteBuffer in(byte[] payload) {
    return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A little-endian buffer of {@code size} bytes to write a payload into. */
  static ByteBuffer out(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  static int u8(ByteBuffer in, String field) throws PldmFormatException {
    need(in, 1, field);
    return in.get() & 0xFF;
  }

  static int u16(ByteBuffer in, String field) throws PldmFormatException {
    need(in, 2, field);
    return in.getShort() & 0xFFFF;
  }

  static long u32(ByteBuffer in, String field) throws PldmFormatException {
    need(in, 4, field);
    return in.getInt() & 0xFFFFFFFFL;
  }

  static long u64(ByteBuffer in, String field) throws PldmFormatException {
    need(in, 8, field);
    return in.getLong();
  }

  static byte[] bytes(ByteBuffer in, int length, String field) throws PldmFormatException {
    need(in, length, field);
    byte[] out = new byte[length];
    try {
      in.get(out);
    } catch (BufferUnderflowException e) {
      throw new PldmFormatException(field + ": truncated");
    }
    return out;
  }

  /** The rest of the payload. */
  static byte[] rest(ByteBuffer in) {
    byte[] out = new byte[in.remaining()];
    in.get(out);
    return out;
  }

  /** Refuses bytes after the last field: a layout that does not add up is not guessed at. */
  static void end(ByteBuffer in, String message) throws PldmFormatException {
    if (in.hasRemaining()) {
      throw new PldmFormatException(message + ": " + in.remaining() + " bytes after the last field");
    }
  }

  private static void need(ByteBuffer in, int length, String field) throws PldmFormatException {
    if (length < 0 || in.remaining() < length) {
      throw new PldmFormatException(
          field + ": needs " + length + " bytes, " + in.remaining() + " left in the message");
    }
  }
}
