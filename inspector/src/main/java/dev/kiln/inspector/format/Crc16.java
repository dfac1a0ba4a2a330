package dev.kiln.inspector.format;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * The two 16-bit checksums of the FS4 format (see {@code docs/fs4-format.md} §2 in the shared
 * research folder).
 *
 * <ul>
 *   <li><b>CRC16-SW</b> protects nearly everything: BOOT2, tools area, ITOC/DTOC headers and
 *       entries, section bodies, the hashes table. Polynomial 0x100B, MSB first, over big-endian
 *       dwords, with the register preset to 0xFFFF, 16 zero bits shifted in at the end and the result
 *       inverted. That is the same as a plain (non-augmented) CRC with init 0xF6AA and xorout 0xFFFF
 *       over the bytes as stored, which is the table form used here.
 *   <li><b>CRC16-HW</b> protects the 16 HW pointer entries only: the reflected form of the same
 *       polynomial (0xD008), preset 0xFFFF, the first two input bytes inverted, no final XOR, and the
 *       result byte-swapped.
 * </ul>
 */
public final class Crc16 {
  /** Table for the MSB-first (non-reflected) polynomial 0x100B. */
  private static final int[] SW_TABLE = new int[256];

  /** Table for the reflected polynomial 0xD008. */
  private static final int[] HW_TABLE = new int[256];

  /**
   * Slicing tables for CRC16-SW: {@code SLICE[k][b]} is the CRC (zero init, no final XOR) of byte
   * {@code b} followed by {@code k} zero bytes, so eight input bytes fold into the register with
   * eight table look-ups and no per-bit work. {@code SLICE[0]} equals {@link #SW_TABLE}.
   */
  private static final int[][] SLICE = new int[8][256];

  /** Init value of the direct (non-augmented) form of CRC16-SW. */
  private static final int SW_DIRECT_INIT = 0xF6AA;

  static {
    for (int i = 0; i < 256; i++) {
      int sw = i << 8;
      int hw = i;
      for (int bit = 0; bit < 8; bit++) {
        sw = (sw & 0x8000) != 0 ? ((sw << 1) ^ 0x100B) : (sw << 1);
        hw = (hw & 1) != 0 ? ((hw >>> 1) ^ 0xD008) : (hw >>> 1);
      }
      SW_TABLE[i] = sw & 0xFFFF;
      HW_TABLE[i] = hw & 0xFFFF;
    }
    SLICE[0] = SW_TABLE.clone();
    for (int k = 1; k < 8; k++) {
      for (int b = 0; b < 256; b++) {
        int prev = SLICE[k - 1][b];
        SLICE[k][b] = ((prev << 8) ^ SW_TABLE[(prev >>> 8) & 0xFF]) & 0xFFFF;
      }
    }
  }

  private Crc16() {}

  /**
   * CRC16-SW over {@code length} bytes of {@code data} from {@code offset}. The format only ever
   * checksums whole dwords; a length that is not a multiple of 4 is a caller error.
   *
   * @throws IllegalArgumentException if {@code length} is not a multiple of 4 or the range is out of
   *     bounds
   */
  public static int sw(byte[] data, int offset, int length) {
    if ((length & 3) != 0) {
      throw new IllegalArgumentException(
          "CRC16-SW runs over whole dwords, not " + length + " bytes");
    }
    if (offset < 0 || length < 0 || offset > data.length - length) {
      throw new IllegalArgumentException(
          "CRC range " + offset + "+" + length + " is outside " + data.length + " bytes");
    }
    int crc = SW_DIRECT_INIT;
    for (int i = offset, end = offset + length; i < end; i++) {
      crc = ((crc << 8) ^ SW_TABLE[((crc >>> 8) ^ data[i]) & 0xFF]) & 0xFFFF;
    }
    return crc ^ 0xFFFF;
  }

  /** CRC16-SW over a whole array. */
  public static int sw(byte[] data) {
    return sw(data, 0, data.length);
  }

  /**
   * Incremental CRC16-SW for data that is not in one array (large sections read in chunks). Feed
   * whole dwords; {@link #value()} gives the checksum of everything fed so far.
   */
  public static final class Sw {
    private int register = SW_DIRECT_INIT;
    private long fed;

    /** Adds bytes; the total fed must be a multiple of 4 by the time {@link #value()} is read. */
    public Sw update(byte[] data, int offset, int length) {
      int crc = register;
      for (int i = offset, end = offset + length; i < end; i++) {
        crc = ((crc << 8) ^ SW_TABLE[((crc >>> 8) ^ data[i]) & 0xFF]) & 0xFFFF;
      }
      register = crc;
      fed += length;
      return this;
    }

    /** The checksum of everything fed so far. */
    public int value() {
      if ((fed & 3) != 0) {
        throw new IllegalStateException("CRC16-SW runs over whole dwords, not " + fed + " bytes");
      }
      return register ^ 0xFFFF;
    }
  }

  /**
   * CRC16-HW of one HW pointer entry: computed over the 6 bytes {@code entry[0..5]} (the pointer
   * dword and the upper half of the CRC dword).
   */
  public static int hw(byte[] data, int offset, int length) {
    if (offset < 0 || length < 0 || offset > data.length - length) {
      throw new IllegalArgumentException(
          "CRC range " + offset + "+" + length + " is outside " + data.length + " bytes");
    }
    int crc = 0xFFFF;
    for (int i = 0; i < length; i++) {
      int b = data[offset + i] & 0xFF;
      if (i < 2) {
        b ^= 0xFF; // the hardware inverts the first two input bytes
      }
      crc = (crc >>> 8) ^ HW_TABLE[(crc ^ b) & 0xFF];
    }
    return ((crc & 0xFF) << 8) | ((crc >>> 8) & 0xFF);
  }

  /**
   * CRC16-SW over {@code length} bytes of {@code buffer} starting at the absolute index {@code
   * offset}, without copying and without moving the buffer's position. This is the fast path for
   * section bodies in a memory-mapped image: it folds eight bytes per step (slicing-by-8).
   *
   * @throws IllegalArgumentException if {@code length} is not a multiple of 4 or the range is
   *     out of bounds
   */
  public static int sw(ByteBuffer buffer, int offset, int length) {
    return swUpdate(SW_DIRECT_INIT, buffer, offset, length) ^ 0xFFFF;
  }

  /** Chunk size above which {@link #swParallel} splits the work. */
  private static final int PARALLEL_CHUNK = 1 << 21;

  /**
   * CRC16-SW like {@link #sw(ByteBuffer, int, int)}, computed in 2 MiB chunks on the common
   * fork-join pool and combined. For multi-MiB section bodies in a freshly mapped file most of the
   * cost is page faults and table look-ups, both of which spread over the available cores. Small
   * ranges take the sequential path.
   */
  public static int swParallel(ByteBuffer buffer, int offset, int length) {
    if (length <= 2 * PARALLEL_CHUNK || Runtime.getRuntime().availableProcessors() < 2) {
      return sw(buffer, offset, length);
    }
    if ((length & 3) != 0) {
      throw new IllegalArgumentException(
          "CRC16-SW runs over whole dwords, not " + length + " bytes");
    }
    if (offset < 0 || offset > buffer.limit() - length) {
      throw new IllegalArgumentException(
          "CRC range " + offset + "+" + length + " is outside " + buffer.limit() + " bytes");
    }
    int chunks = (length + PARALLEL_CHUNK - 1) / PARALLEL_CHUNK;
    // Each chunk's register starting from 0; the first chunk starts from the real init value.
    int[] registers =
        java.util.stream.IntStream.range(0, chunks)
            .parallel()
            .map(
                i -> {
                  int from = offset + i * PARALLEL_CHUNK;
                  int size = Math.min(PARALLEL_CHUNK, offset + length - from);
                  return swUpdate(i == 0 ? SW_DIRECT_INIT : 0, buffer, from, size);
                })
            .toArray();
    // Linearity: reg(A || B) = reg(A) advanced over |B| zero bytes XOR reg0(B).
    int crc = registers[0];
    for (int i = 1; i < chunks; i++) {
      int size = Math.min(PARALLEL_CHUNK, length - i * PARALLEL_CHUNK);
      crc = shiftZeros(crc, size) ^ registers[i];
    }
    return crc ^ 0xFFFF;
  }

  /** Per-thread read buffer for {@link #swParallel(FileChannel, long, long)}. */
  private static final ThreadLocal<ByteBuffer> READ_BUFFER =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(1 << 20));

  /**
   * CRC16-SW of {@code length} bytes of a file at {@code offset}, read with positional reads into
   * a small per-thread buffer, in 2 MiB chunks spread over the common fork-join pool. For large
   * sections of an image file this is several times cheaper than touching a fresh memory mapping
   * (no page-table work per 4 KiB page) and it holds no more than 1 MiB per thread.
   *
   * @throws EOFException if the file ends before {@code offset + length}
   * @throws IOException if reading fails
   */
  public static int swParallel(FileChannel channel, long offset, long length)
      throws IOException {
    if ((length & 3) != 0 || length < 0 || offset < 0) {
      throw new IllegalArgumentException("CRC16-SW range " + offset + "+" + length);
    }
    int chunks = (int) Math.max(1, (length + PARALLEL_CHUNK - 1) / PARALLEL_CHUNK);
    java.util.stream.IntStream indexes = java.util.stream.IntStream.range(0, chunks);
    if (chunks > 1 && Runtime.getRuntime().availableProcessors() > 1) {
      indexes = indexes.parallel();
    }
    int[] registers;
    try {
      registers =
          indexes
              .map(
                  i -> {
                    long from = offset + (long) i * PARALLEL_CHUNK;
                    long size = Math.min(PARALLEL_CHUNK, offset + length - from);
                    return readChunk(channel, from, (int) size, i == 0 ? SW_DIRECT_INIT : 0);
                  })
              .toArray();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    int crc = registers[0];
    for (int i = 1; i < chunks; i++) {
      long size = Math.min(PARALLEL_CHUNK, length - (long) i * PARALLEL_CHUNK);
      crc = shiftZeros(crc, size) ^ registers[i];
    }
    return crc ^ 0xFFFF;
  }

  /** Folds one chunk of the file into {@code register}, reading whole buffers at a time. */
  private static int readChunk(FileChannel channel, long from, int size, int register) {
    ByteBuffer buffer = READ_BUFFER.get();
    int crc = register;
    long position = from;
    long end = from + size;
    try {
      while (position < end) {
        buffer.clear();
        buffer.limit((int) Math.min(buffer.capacity(), end - position));
        while (buffer.hasRemaining()) {
          int read = channel.read(buffer, position + buffer.position());
          if (read < 0) {
            throw new EOFException("file ends before 0x" + Long.toHexString(end));
          }
        }
        crc = swUpdate(crc, buffer, 0, buffer.limit());
        position += buffer.limit();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return crc;
  }

  /**
   * The register after feeding {@code count} zero bytes into register {@code register}: a linear
   * map, applied as a 16×16 GF(2) matrix raised to {@code count} by repeated squaring.
   */
  private static int shiftZeros(int register, long count) {
    // Columns of the matrix for one zero byte: the image of each single-bit register.
    int[] step = new int[16];
    for (int bit = 0; bit < 16; bit++) {
      int r = 1 << bit;
      step[bit] = ((r << 8) ^ SW_TABLE[(r >>> 8) & 0xFF]) & 0xFFFF;
    }
    int result = register;
    int[] power = step;
    for (long n = count; n > 0; n >>>= 1) {
      if ((n & 1) != 0) {
        result = apply(power, result);
      }
      power = square(power);
    }
    return result;
  }

  private static int apply(int[] matrix, int vector) {
    int out = 0;
    for (int bit = 0; vector != 0; bit++, vector >>>= 1) {
      if ((vector & 1) != 0) {
        out ^= matrix[bit];
      }
    }
    return out;
  }

  private static int[] square(int[] matrix) {
    int[] out = new int[16];
    for (int bit = 0; bit < 16; bit++) {
      out[bit] = apply(matrix, matrix[bit]);
    }
    return out;
  }

  /** Folds {@code length} bytes into a raw CRC16-SW register (no final inversion). */
  private static int swUpdate(int register, ByteBuffer buffer, int offset, int length) {
    if ((length & 3) != 0) {
      throw new IllegalArgumentException(
          "CRC16-SW runs over whole dwords, not " + length + " bytes");
    }
    if (offset < 0 || length < 0 || offset > buffer.limit() - length) {
      throw new IllegalArgumentException(
          "CRC range " + offset + "+" + length + " is outside " + buffer.limit() + " bytes");
    }
    boolean bigEndian = buffer.order() == ByteOrder.BIG_ENDIAN;
    int crc = register;
    int i = offset;
    int end = offset + length;
    int[] t0 = SLICE[0];
    int[] t1 = SLICE[1];
    int[] t2 = SLICE[2];
    int[] t3 = SLICE[3];
    int[] t4 = SLICE[4];
    int[] t5 = SLICE[5];
    int[] t6 = SLICE[6];
    int[] t7 = SLICE[7];
    for (; i <= end - 8; i += 8) {
      long word = buffer.getLong(i);
      if (!bigEndian) {
        word = Long.reverseBytes(word);
      }
      // The register overlaps the first two of the eight bytes; the rest enter with zero state.
      int b0 = ((int) (word >>> 56) ^ (crc >>> 8)) & 0xFF;
      int b1 = ((int) (word >>> 48) ^ crc) & 0xFF;
      crc =
          t7[b0]
              ^ t6[b1]
              ^ t5[(int) (word >>> 40) & 0xFF]
              ^ t4[(int) (word >>> 32) & 0xFF]
              ^ t3[(int) (word >>> 24) & 0xFF]
              ^ t2[(int) (word >>> 16) & 0xFF]
              ^ t1[(int) (word >>> 8) & 0xFF]
              ^ t0[(int) word & 0xFF];
    }
    for (; i < end; i++) {
      crc = ((crc << 8) ^ t0[((crc >>> 8) ^ buffer.get(i)) & 0xFF]) & 0xFFFF;
    }
    return crc;
  }

  /** CRC16-HW over {@code length} bytes of {@code buffer} at the absolute index {@code offset}. */
  public static int hw(ByteBuffer buffer, int offset, int length) {
    if (offset < 0 || length < 0 || offset > buffer.limit() - length) {
      throw new IllegalArgumentException(
          "CRC range " + offset + "+" + length + " is outside " + buffer.limit() + " bytes");
    }
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = buffer.get(offset + i);
    }
    return hw(bytes, 0, length);
  }
}
