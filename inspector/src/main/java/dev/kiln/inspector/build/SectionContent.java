package dev.kiln.inspector.build;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where the body of a section in an {@link ImageDescription} comes from. Bodies are streamed into
 * the image, so a file or generated content may be megabytes without being held in memory.
 */
public sealed interface SectionContent {

  /**
   * The bytes of a file, zero-padded to a whole number of dwords.
   *
   * @param path the payload file
   */
  record FromFile(Path path) implements SectionContent {
    public FromFile {
      Objects.requireNonNull(path, "path");
    }
  }

  /**
   * Bytes given in memory (small sections, tests), zero-padded to whole dwords.
   *
   * @param bytes the body (copied in and out)
   */
  record FromBytes(byte[] bytes) implements SectionContent {
    public FromBytes {
      bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof FromBytes that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "FromBytes[" + bytes.length + " bytes]";
    }
  }

  /**
   * {@code size} bytes of the value {@code fill}.
   *
   * @param size body size in bytes (a multiple of 4)
   * @param fill byte value 0..255
   */
  record Filled(long size, int fill) implements SectionContent {}

  /**
   * {@code size} deterministic pseudo-random bytes from {@code seed}: the big-endian outputs of
   * xorshift64* (shifts 12, 25, 27; multiplier 0x2545F4914F6CDD1D) started from {@code seed XOR
   * 0x9E3779B97F4A7C15}. The same seed gives the same bytes on every machine and JVM, so test
   * images are reproducible.
   *
   * @param size body size in bytes (a multiple of 4)
   * @param seed generator seed
   */
  record Random(long size, long seed) implements SectionContent {}
}
