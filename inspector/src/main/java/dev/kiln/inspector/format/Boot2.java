package dev.kiln.inspector.format;

import java.nio.ByteBuffer;

/**
 * BOOT2, the second-stage boot loader at HW pointer {@code boot2_ptr} (fs4-format.md §6).
 *
 * <table>
 *   <caption>Layout (N = dword count)</caption>
 *   <tr><th>offset</th><th>size</th><th>content</th></tr>
 *   <tr><td>0x0</td><td>4</td><td>load address (free)</td></tr>
 *   <tr><td>0x4</td><td>4</td><td>N, the payload dword count, 4 ≤ N ≤ 1048576</td></tr>
 *   <tr><td>0x8</td><td>4·N</td><td>payload</td></tr>
 *   <tr><td>0x8+4N</td><td>4</td><td>one more dword (free)</td></tr>
 *   <tr><td>0xC+4N</td><td>4</td><td>CRC16-SW of the N+3 dwords before it; the whole dword must
 *       equal the CRC (upper half 0)</td></tr>
 * </table>
 *
 * <p>The record holds the header fields and CRCs, not the payload, which stays in the image.
 *
 * @param loadAddress dword 0
 * @param dwordCount N
 * @param storedCrc the last dword, all 32 bits
 * @param computedCrc CRC16-SW of the preceding N+3 dwords
 */
public record Boot2(int loadAddress, int dwordCount, int storedCrc, int computedCrc) {
  /** Smallest dword count mstflint accepts. */
  public static final int MIN_DWORDS = 4;

  /** Largest dword count mstflint accepts. */
  public static final int MAX_DWORDS = 1 << 20;

  /** True when {@code dwordCount} is in mstflint's accepted range. */
  public static boolean dwordCountValid(long dwordCount) {
    return dwordCount >= MIN_DWORDS && dwordCount <= MAX_DWORDS;
  }

  /** Total size in bytes for a dword count: {@code (N + 4) * 4}. */
  public static long sizeFor(long dwordCount) {
    return (dwordCount + 4) * 4;
  }

  /** The dword count stored at {@code offset + 4}, unsigned. */
  public static long readDwordCount(ByteBuffer buffer, int offset) {
    Dwords.checkRange(buffer, offset, 8);
    return Integer.toUnsignedLong(Dwords.get(buffer, offset + 4));
  }

  /**
   * Reads BOOT2 at absolute {@code offset}. The caller has checked the dword count and that the
   * whole structure fits the buffer.
   *
   * @throws IllegalArgumentException if the count is out of range or the structure does not fit
   */
  public static Boot2 read(ByteBuffer buffer, int offset) {
    long count = readDwordCount(buffer, offset);
    if (!dwordCountValid(count)) {
      throw new IllegalArgumentException("BOOT2 dword count 0x" + Long.toHexString(count));
    }
    int size = (int) sizeFor(count);
    Dwords.checkRange(buffer, offset, size);
    int crc = Crc16.sw(buffer, offset, size - 4);
    int stored = Dwords.get(buffer, offset + size - 4);
    return new Boot2(Dwords.get(buffer, offset), (int) count, stored, crc);
  }

  /** Size of this BOOT2 in bytes. */
  public int size() {
    return (int) sizeFor(dwordCount);
  }

  public boolean crcOk() {
    return storedCrc == computedCrc;
  }

  /**
   * Encodes a BOOT2: header, {@code payload} (whole dwords, 4..1048576 of them), {@code
   * trailerDword} and the CRC.
   */
  public static byte[] encode(int loadAddress, byte[] payload, int trailerDword) {
    if ((payload.length & 3) != 0 || !dwordCountValid(payload.length / 4)) {
      throw new IllegalArgumentException(
          "BOOT2 payload must be 16 bytes to 4 MiB in whole dwords, not " + payload.length);
    }
    byte[] bytes = new byte[payload.length + 16];
    Dwords.put(bytes, 0, loadAddress);
    Dwords.put(bytes, 4, payload.length / 4);
    System.arraycopy(payload, 0, bytes, 8, payload.length);
    Dwords.put(bytes, 8 + payload.length, trailerDword);
    Dwords.put(bytes, 12 + payload.length, Crc16.sw(bytes, 0, bytes.length - 4));
    return bytes;
  }
}
