package dev.kiln.emulator.pcifunction.fuse;

import com.sun.jna.Pointer;

/**
 * Fills a {@code struct stat} in place: the x86_64 Linux layout (glibc {@code
 * bits/struct_stat.h}, 144 bytes), which is what libfuse hands to {@code getattr}.
 *
 * <pre>
 * off  size  field
 *   0     8  st_dev
 *   8     8  st_ino
 *  16     8  st_nlink
 *  24     4  st_mode
 *  28     4  st_uid
 *  32     4  st_gid
 *  36     4  (padding)
 *  40     8  st_rdev
 *  48     8  st_size
 *  56     8  st_blksize
 *  64     8  st_blocks (512-byte units)
 *  72    16  st_atim (tv_sec, tv_nsec)
 *  88    16  st_mtim
 * 104    16  st_ctim
 * 120    24  reserved
 * </pre>
 */
final class StatLayout {
  static final int SIZE = 144;
  static final int S_IFDIR = 0040000;
  static final int S_IFREG = 0100000;

  private StatLayout() {}

  /** Zeroes the structure and sets type, permissions, link count, size and the three times. */
  static void fill(Pointer stat, int mode, long links, long size, long epochSeconds) {
    stat.clear(SIZE);
    stat.setLong(16, links);
    stat.setInt(24, mode);
    stat.setLong(48, size);
    stat.setLong(56, 4096);
    stat.setLong(64, (size + 511) / 512);
    stat.setLong(72, epochSeconds);
    stat.setLong(88, epochSeconds);
    stat.setLong(104, epochSeconds);
  }
}
