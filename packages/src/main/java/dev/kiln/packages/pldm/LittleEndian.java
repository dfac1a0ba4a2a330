package dev.kiln.packages.pldm;

import java.io.ByteArrayOutputStream;

/** Little-endian field writers for the package writer (DSP0267 stores every integer LE). */
final class LittleEndian {
  private LittleEndian() {}

  static void u16(ByteArrayOutputStream out, int value) {
    out.write(value);
    out.write(value >>> 8);
  }

  static void u32(ByteArrayOutputStream out, long value) {
    out.write((int) value);
    out.write((int) (value >>> 8));
    out.write((int) (value >>> 16));
    out.write((int) (value >>> 24));
  }

  static void put32(byte[] target, int offset, long value) {
    for (int i = 0; i < 4; i++) {
      target[offset + i] = (byte) (value >>> (8 * i));
    }
  }
}
