package dev.kiln.emulator.pcifunction.fuse;

import java.io.IOException;

/**
 * A regular file served by the JVM. Every read and write of an open file reaches these methods
 * (the binding opens files with {@code direct_io}: no page cache), on the single loop thread.
 */
public non-sealed interface FuseFile extends FuseNode {

  /** The size {@code stat} reports. */
  long size();

  /** Whether the file may be opened for writing. */
  boolean writable();

  /**
   * Reads up to {@code length} bytes at {@code offset} into {@code buffer[0..]}.
   *
   * @return the bytes read, 0 at or past the end
   * @throws IOException reported to the reader as EIO
   */
  int read(long offset, byte[] buffer, int length) throws IOException;

  /**
   * Writes {@code length} bytes from {@code buffer[0..]} at {@code offset}.
   *
   * @return the bytes written
   * @throws IOException reported to the writer as EIO
   */
  int write(long offset, byte[] buffer, int length) throws IOException;
}
