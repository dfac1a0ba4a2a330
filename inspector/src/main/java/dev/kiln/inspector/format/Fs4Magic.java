package dev.kiln.inspector.format;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The FS4 (and FS3) image signatures and where mstflint looks for them (fs4-format.md §3, §4).
 *
 * <table>
 *   <caption>Start of an FS4 image</caption>
 *   <tr><th>offset</th><th>size</th><th>content</th></tr>
 *   <tr><td>0x00</td><td>16</td><td>magic {@code 4D544657 ABCDEF00 FADE1234 5678DEAD}</td></tr>
 *   <tr><td>0x10</td><td>4</td><td>boot_version; bits 24-31 = image format version (1)</td></tr>
 *   <tr><td>0x14</td><td>4</td><td>reserved</td></tr>
 *   <tr><td>0x18</td><td>128</td><td>16 HW pointer entries ({@link HwPointers})</td></tr>
 * </table>
 */
public final class Fs4Magic {
  /** Length of either magic. */
  public static final int LENGTH = 16;

  /** Offset of the boot_version dword, relative to the image start. */
  public static final int BOOT_VERSION_OFFSET = 0x10;

  /** Offset of the HW pointer table, relative to the image start. */
  public static final int HW_POINTERS_OFFSET = 0x18;

  /** The only image format version FS4 tools accept (top byte of boot_version). */
  public static final int FORMAT_VERSION = 1;

  /** File offsets probed for a magic, in mstflint's order. */
  public static final List<Integer> SEARCH_OFFSETS =
      List.of(
          0x0, 0x10000, 0x20000, 0x40000, 0x80000, 0x100000, 0x200000, 0x400000, 0x800000,
          0x1000000);

  private static final int[] FS4 = {0x4D544657, 0xABCDEF00, 0xFADE1234, 0x5678DEAD};
  private static final int[] FS3 = {0x4D544657, 0x8CDFD000, 0xDEAD9270, 0x4154BEEF};

  private Fs4Magic() {}

  /** True when the FS4 magic starts at {@code offset}; false also when it would not fit. */
  public static boolean isFs4At(ByteBuffer buffer, long offset) {
    return matches(buffer, offset, FS4);
  }

  /** True when the FS3 (ConnectX-4) magic starts at {@code offset}. */
  public static boolean isFs3At(ByteBuffer buffer, long offset) {
    return matches(buffer, offset, FS3);
  }

  /** The 16 magic bytes, for writers. */
  public static byte[] fs4Bytes() {
    byte[] bytes = new byte[LENGTH];
    for (int i = 0; i < 4; i++) {
      Dwords.put(bytes, i * 4, FS4[i]);
    }
    return bytes;
  }

  /** The 16 FS3 magic bytes, for writers. */
  public static byte[] fs3Bytes() {
    byte[] bytes = new byte[LENGTH];
    for (int i = 0; i < 4; i++) {
      Dwords.put(bytes, i * 4, FS3[i]);
    }
    return bytes;
  }

  /**
   * Masks the magic pattern at {@code offset}: the 16 bytes become 0xFF. A host sends the BOOT_IMG
   * component this way so that a half-written image can never boot (protocol doc §2.6 step 11;
   * mstflint 4.21 mlxfwops/lib/fs3_ops.cpp, Fs3Operations::FwExtract4MBImage with
   * maskMagicPatternAndDevToc, which Fs4Operations::FwExtract4MBImage calls for FS4 images).
   *
   * @throws IndexOutOfBoundsException when the 16 bytes do not fit in {@code image}
   */
  public static void mask(byte[] image, int offset) {
    Objects.checkFromIndexSize(offset, LENGTH, image.length);
    Arrays.fill(image, offset, offset + LENGTH, (byte) 0xFF);
  }

  /**
   * Puts the FS4 magic back at offset 0 when it is masked there (all 16 bytes 0xFF), as a device
   * does when it stores or returns a component burnt with {@link #mask}. Leaves anything else
   * alone.
   *
   * @return true when the magic was put back
   */
  public static boolean unmask(byte[] image) {
    return unmask(image, fs4Bytes());
  }

  /**
   * As {@link #unmask(byte[])} with the given magic (an FS3 device puts back the FS3 magic).
   *
   * @return true when the magic was put back
   */
  public static boolean unmask(byte[] image, byte[] magic) {
    if (image.length < LENGTH) {
      return false;
    }
    for (int i = 0; i < LENGTH; i++) {
      if (image[i] != (byte) 0xFF) {
        return false;
      }
    }
    System.arraycopy(magic, 0, image, 0, LENGTH);
    return true;
  }

  /** The boot_version dword for a format version (other bits zero). */
  public static int bootVersionDword(int formatVersion) {
    return (formatVersion & 0xFF) << 24;
  }

  private static boolean matches(ByteBuffer buffer, long offset, int[] magic) {
    if (!Dwords.fits(offset, LENGTH, buffer.limit())) {
      return false;
    }
    int base = (int) offset;
    for (int i = 0; i < 4; i++) {
      if (Dwords.get(buffer, base + i * 4) != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
