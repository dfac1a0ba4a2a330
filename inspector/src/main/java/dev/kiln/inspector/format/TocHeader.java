package dev.kiln.inspector.format;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An ITOC or DTOC header, 0x20 bytes (fs4-format.md §9.2). The ITOC header sits at HW pointer
 * {@code toc_ptr} (or +0x1000, the fail-safe copy); the DTOC header at file size − 0x1000. Entries
 * ({@link TocEntry}) follow immediately.
 *
 * <table>
 *   <caption>Layout</caption>
 *   <tr><th>field</th><th>position</th><th>value / notes</th></tr>
 *   <tr><td>signature0</td><td>0x00</td><td>0x49544F43 "ITOC" or 0x44544F43 "DTOC"</td></tr>
 *   <tr><td>signature1..3</td><td>0x04, 0x08, 0x0C</td><td>0x04081516, 0x2342CAFA,
 *       0xBACAFE00</td></tr>
 *   <tr><td>version</td><td>0x10.0-7</td><td>not checked by mstflint</td></tr>
 *   <tr><td>flash_layout_version</td><td>0x10.24-31</td><td>not checked</td></tr>
 *   <tr><td>num_of_entries</td><td>0x14.0-7</td><td>not checked</td></tr>
 *   <tr><td>crc</td><td>0x1C.0-15</td><td>CRC16-SW of bytes 0x00..0x1B (upper half free)</td></tr>
 * </table>
 *
 * @param raw the 0x20 bytes as stored (copied in and out)
 */
public record TocHeader(byte[] raw) implements StoredStructure {
  /** Size of the header (and of every entry). */
  public static final int SIZE = 0x20;

  /** Offset of the fail-safe ITOC copy from {@code toc_ptr}. */
  public static final int FAILSAFE_DISTANCE = 0x1000;

  /** Distance of the DTOC header from the end of the file. */
  public static final int DTOC_DISTANCE_FROM_END = 0x1000;

  /** Which table a header starts. */
  public enum Kind {
    ITOC(0x49544F43),
    DTOC(0x44544F43);

    private final int signature0;

    Kind(int signature0) {
      this.signature0 = signature0;
    }

    /** The first signature dword. */
    public int signature0() {
      return signature0;
    }
  }

  private static final int[] SIGNATURE_TAIL = {0x04081516, 0x2342CAFA, 0xBACAFE00};

  public TocHeader {
    if (raw.length != SIZE) {
      throw new IllegalArgumentException("TOC header is 0x20 bytes, not " + raw.length);
    }
    raw = raw.clone();
  }

  /** Reads a header at absolute {@code offset}. */
  public static TocHeader read(ByteBuffer buffer, int offset) {
    return new TocHeader(Dwords.copy(buffer, offset, SIZE));
  }

  /** A header of {@code kind} with the given version fields and a valid CRC. */
  public static TocHeader of(Kind kind, int version, int flashLayoutVersion, int numOfEntries) {
    byte[] bytes = new byte[SIZE];
    Dwords.put(bytes, 0, kind.signature0());
    for (int i = 0; i < 3; i++) {
      Dwords.put(bytes, 4 + 4 * i, SIGNATURE_TAIL[i]);
    }
    Dwords.put(bytes, 0x10, ((flashLayoutVersion & 0xFF) << 24) | (version & 0xFF));
    Dwords.put(bytes, 0x14, numOfEntries & 0xFF);
    Dwords.put(bytes, 0x1C, Crc16.sw(bytes, 0, 0x1C));
    return new TocHeader(bytes);
  }

  @Override
  public byte[] raw() {
    return raw.clone();
  }

  /** True when all four signature dwords are those of {@code kind}. */
  public boolean signatureOk(Kind kind) {
    if (Dwords.get(raw, 0) != kind.signature0()) {
      return false;
    }
    for (int i = 0; i < 3; i++) {
      if (Dwords.get(raw, 4 + 4 * i) != SIGNATURE_TAIL[i]) {
        return false;
      }
    }
    return true;
  }

  public int version() {
    return Dwords.get(raw, 0x10) & 0xFF;
  }

  public int flashLayoutVersion() {
    return Dwords.get(raw, 0x10) >>> 24;
  }

  public int numOfEntries() {
    return Dwords.get(raw, 0x14) & 0xFF;
  }

  /** Stored CRC (low 16 bits of the dword at 0x1C). */
  public int storedCrc() {
    return Dwords.get(raw, 0x1C) & 0xFFFF;
  }

  /** CRC16-SW of bytes 0x00..0x1B. */
  public int computedCrc() {
    return Crc16.sw(raw, 0, 0x1C);
  }

  public boolean crcOk() {
    return storedCrc() == computedCrc();
  }

  /** True when signature and CRC are both right for {@code kind}, as mstflint requires. */
  public boolean valid(Kind kind) {
    return signatureOk(kind) && crcOk();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TocHeader that && Arrays.equals(raw, that.raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return String.format(
        "TocHeader[sig0=0x%08x, version=%d, entries=%d, crc=0x%04x]",
        Dwords.get(raw, 0), version(), numOfEntries(), storedCrc());
  }
}
