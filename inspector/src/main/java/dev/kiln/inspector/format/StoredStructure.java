package dev.kiln.inspector.format;

import java.nio.ByteBuffer;

/**
 * A fixed-size binary structure of the image held as its bytes as stored (HW pointers, tools area,
 * ITOC/DTOC headers and entries): the record keeps the raw bytes, each class documents its layout
 * and decodes fields on demand, and writing it back is copying those bytes. Implementations return
 * a copy from {@link #raw()}, so no caller can change a parsed structure.
 */
public interface StoredStructure {
  /** A copy of the bytes as stored. */
  byte[] raw();

  /** The bytes as stored (a copy; the same as {@link #raw()}). */
  default byte[] toBytes() {
    return raw();
  }

  /** Writes the structure at absolute {@code offset} of {@code buffer}. */
  default void writeTo(ByteBuffer buffer, int offset) {
    byte[] bytes = raw();
    Dwords.checkRange(buffer, offset, bytes.length);
    buffer.put(offset, bytes);
  }
}
