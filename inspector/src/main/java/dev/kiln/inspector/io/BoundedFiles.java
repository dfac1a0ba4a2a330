package dev.kiln.inspector.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The one way kiln reads a whole input file into memory: images, bundles, feeds, trust files,
 * keys, PINs, policies, descriptions. Every read is bounded, so a 3 GiB file, {@code /dev/zero} or
 * a file that grows while it is read costs at most {@code limit + 1} bytes of heap, and fails with
 * one line naming the file.
 *
 * <p>Order of checks: the path must name a regular file (a FIFO or device could block or never
 * end, so it is refused before it is opened); its size must be within the limit (refused without
 * reading a byte); then at most {@code limit + 1} bytes are read, so a file that was swapped or
 * grew after the size check is refused rather than cut off.
 */
public final class BoundedFiles {
  private BoundedFiles() {}

  /** A file that cannot be read within its bound; the message is one complete line. */
  public static final class UnreadableFileException extends IOException {
    private static final long serialVersionUID = 1L;

    UnreadableFileException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Reads {@code path} whole.
   *
   * @param limit the largest size accepted, in bytes (at most {@code Integer.MAX_VALUE - 8})
   * @param what what the file should be, with its article, for messages ("a trust file")
   * @throws UnreadableFileException if the file is missing, unreadable, not a regular file or
   *     larger than {@code limit}
   * @throws IOException if reading fails half way
   */
  public static byte[] read(Path path, long limit, String what) throws IOException {
    requireRegularFile(path, what);
    long size = Files.size(path);
    if (size > limit) {
      throw tooLarge(path, size, limit, what);
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(path)) {
      bytes = readBounded(in, size, Math.toIntExact(limit + 1));
    } catch (AccessDeniedException e) {
      throw new UnreadableFileException(path + ": permission denied", e);
    }
    if (bytes.length > limit) {
      throw new UnreadableFileException(
          path + ": grew beyond " + describe(limit) + " while kiln read it (" + what
              + " is never that large)", null);
    }
    return bytes;
  }

  /** Bytes per read call: a heap array is filled through a temporary native buffer this big. */
  private static final int READ_CHUNK = 1 << 20;

  /**
   * Reads up to {@code cap} bytes into an array sized for {@code expected} (the file's size when
   * it was opened), in reads of {@link #READ_CHUNK}: no intermediate buffers to copy from (as
   * {@code readNBytes} keeps) and no native buffer as large as the file, which matters for 32 MiB
   * images. A file that changed size meanwhile is read as it now is, still bounded by {@code cap}.
   */
  private static byte[] readBounded(InputStream in, long expected, int cap) throws IOException {
    byte[] bytes = new byte[(int) Math.min(Math.max(expected, 0), cap)];
    int filled = 0;
    while (true) {
      if (filled == bytes.length) {
        if (filled == cap) {
          return bytes;
        }
        int next = in.read();
        if (next < 0) {
          return bytes;
        }
        // The file grew since it was opened: keep reading, still bounded.
        bytes = Arrays.copyOf(bytes, (int) Math.min((long) filled * 2 + READ_CHUNK, cap));
        bytes[filled++] = (byte) next;
        continue;
      }
      int n = in.read(bytes, filled, Math.min(READ_CHUNK, bytes.length - filled));
      if (n < 0) {
        return filled == bytes.length ? bytes : Arrays.copyOf(bytes, filled);
      }
      filled += n;
    }
  }

  /**
   * Refuses anything but an existing, readable regular file.
   *
   * @param what what the file should be, with its article ("an image file")
   */
  public static void requireRegularFile(Path path, String what) throws UnreadableFileException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new UnreadableFileException(path + ": no such file", e);
    } catch (AccessDeniedException e) {
      throw new UnreadableFileException(path + ": permission denied", e);
    } catch (IOException e) {
      throw new UnreadableFileException(path + ": cannot be read (" + e.getMessage() + ")", e);
    }
    if (attributes.isDirectory()) {
      throw new UnreadableFileException(path + ": is a directory, not " + what, null);
    }
    if (!attributes.isRegularFile()) {
      // A FIFO, device (/dev/zero) or socket: opening could block, reading might never end.
      throw new UnreadableFileException(path + ": not a regular file", null);
    }
  }

  /** The refusal of a file of {@code size} bytes where at most {@code limit} are accepted. */
  public static UnreadableFileException tooLarge(Path path, long size, long limit, String what) {
    return new UnreadableFileException(
        path + ": " + size + " bytes is larger than the " + describe(limit) + " kiln accepts for "
            + what, null);
  }

  /** A limit as people write it: "1 GiB", "256 MiB", "64 KiB" or "1000 bytes". */
  public static String describe(long bytes) {
    if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
      return (bytes >> 30) + " GiB";
    }
    if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
      return (bytes >> 20) + " MiB";
    }
    if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
      return (bytes >> 10) + " KiB";
    }
    return bytes + " bytes";
  }
}
