package dev.kiln.emulator.pcifunction.fuse;

import com.sun.jna.Pointer;

/**
 * The fields of libfuse 3.14's {@code struct fuse_file_info} ({@code include/fuse_common.h}) that
 * the binding reads and writes, by offset (x86_64):
 *
 * <pre>
 * off  size  field
 *   0     4  int flags             open(2) flags; O_ACCMODE in bits 1..0
 *   4     4  bit field             bit 0 writepage, bit 1 direct_io, bit 2 keep_cache,
 *                                  bit 3 flush, bit 4 nonseekable, bit 5 flock_release,
 *                                  bit 6 cache_readdir, bit 7 noflush
 *   8     4  padding2
 *  16     8  uint64_t fh           the file handle open() returns to later calls
 *  24     8  uint64_t lock_owner
 *  32     4  uint32_t poll_events
 * </pre>
 */
final class FileInfoLayout {
  private static final int FLAGS = 0;
  private static final int BITS = 4;
  private static final int FH = 16;
  private static final int DIRECT_IO = 1 << 1;
  private static final int O_ACCMODE = 3;
  private static final int O_RDONLY = 0;

  private FileInfoLayout() {}

  /** Whether the file is being opened for writing (O_WRONLY or O_RDWR). */
  static boolean opensForWriting(Pointer fileInfo) {
    return (fileInfo.getInt(FLAGS) & O_ACCMODE) != O_RDONLY;
  }

  /** Sets {@code direct_io}: every read and write goes to the filesystem, none to a cache. */
  static void setDirectIo(Pointer fileInfo) {
    fileInfo.setInt(BITS, fileInfo.getInt(BITS) | DIRECT_IO);
  }

  static void setHandle(Pointer fileInfo, long handle) {
    fileInfo.setLong(FH, handle);
  }

  static long handle(Pointer fileInfo) {
    return fileInfo.getLong(FH);
  }
}
