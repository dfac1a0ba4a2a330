package dev.kiln.signer.fs4.internal;

import dev.kiln.signer.fs4.ImageSigningException;
import dev.kiln.signer.fs4.internal.ImageLayout.ItocSlot;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * The "fw-update" data that IMAGE_SIGNATURE_256/512 sign (fs4-format.md §16.1 and §16.2), described
 * as a list of pieces over the image instead of a copy of it, so a 32 MiB image is hashed straight
 * from its mapping.
 *
 * <p>The data is {@code last} bytes long, {@code last} being the end of the highest ITOC section. A
 * byte comes from the image when it lies in a covered structure (everything below BOOT2, BOOT2, the
 * hashes table, the ITOC header with all entries and the END entry, every ITOC section body) and is
 * not masked; every other byte is 0xFF. Masked: the 16 magic bytes, and every section of a masked
 * type together with its ITOC entry. On images with a hashes table ("v2") the 4 check bytes at the
 * end of every complete 68-byte line of the first cache-line-CRC section are then left out.
 */
public final class FwUpdateBlob {
  private static final byte KIND_FF = 0;
  private static final byte KIND_IMAGE = 1;

  /** Size of one cache line: 64 data bytes and 4 check bytes. */
  private static final int LINE = 68;

  private static final int LINE_DATA = 64;

  private final long[] starts;
  private final long[] ends;
  private final byte[] kinds;
  private final long dropStart;
  private final long dropEnd;

  private FwUpdateBlob(List<long[]> pieces, List<Byte> pieceKinds, long dropStart, long dropEnd) {
    int n = pieces.size();
    this.starts = new long[n];
    this.ends = new long[n];
    this.kinds = new byte[n];
    for (int i = 0; i < n; i++) {
      starts[i] = pieces.get(i)[0];
      ends[i] = pieces.get(i)[1];
      kinds[i] = pieceKinds.get(i);
    }
    this.dropStart = dropStart;
    this.dropEnd = dropEnd;
  }

  /**
   * Describes the data to sign.
   *
   * @param layout the image's structure positions
   * @param maskedTypes section types masked together with their ITOC entries (IMAGE_SIGNATURE_256
   *     for a SHA-256 signature; IMAGE_SIGNATURE_256 and _512 for SHA-512)
   * @throws ImageSigningException for a v2 image of a chip whose boot-record rules Kiln does not
   *     implement (anything but ConnectX-7/8)
   */
  public static FwUpdateBlob of(ImageLayout layout, int... maskedTypes)
      throws ImageSigningException {
    long last = layout.lastSectionEnd();
    List<long[]> covered = new ArrayList<>();
    covered.add(new long[] {0, layout.boot2Address()});
    covered.add(
        new long[] {layout.boot2Address(), (long) layout.boot2Address() + layout.boot2Length()});
    if (layout.hasHashesTable()) {
      covered.add(
          new long[] {
            layout.hashesTableAddress(),
            (long) layout.hashesTableAddress() + layout.hashesTableLength()
          });
    }
    covered.add(
        new long[] {
          layout.itocAddress(), (long) layout.itocAddress() + layout.itocRewriteLength()
        });
    for (ItocSlot slot : layout.itocEntries()) {
      covered.add(new long[] {slot.sectionAddress(), slot.sectionEnd()});
    }
    for (int header : layout.fs3SearchedHeaders()) { // FS3 only (fs4-format.md §18)
      covered.add(new long[] {header, (long) header + ImageLayout.TOC_RECORD_SIZE});
    }
    List<long[]> masked = new ArrayList<>();
    masked.add(new long[] {0, 16});
    for (int entry : layout.fs3DeviceDataEntries()) { // FS3 only (fs4-format.md §18)
      masked.add(new long[] {entry, (long) entry + ImageLayout.TOC_RECORD_SIZE});
    }
    for (int type : maskedTypes) {
      for (ItocSlot slot : layout.all(type)) {
        masked.add(
            new long[] {
              slot.entryAddress(), (long) slot.entryAddress() + ImageLayout.TOC_RECORD_SIZE
            });
        masked.add(new long[] {slot.sectionAddress(), slot.sectionEnd()});
      }
    }
    TreeSet<Long> cuts = new TreeSet<>();
    cuts.add(0L);
    cuts.add(last);
    for (List<long[]> list : List.of(covered, masked)) {
      for (long[] range : list) {
        cuts.add(Math.min(Math.max(range[0], 0), last));
        cuts.add(Math.min(Math.max(range[1], 0), last));
      }
    }
    List<long[]> pieces = new ArrayList<>();
    List<Byte> pieceKinds = new ArrayList<>();
    Long previous = null;
    for (long cut : cuts) {
      if (previous != null && cut > previous) {
        byte kind =
            inAny(masked, previous) ? KIND_FF : inAny(covered, previous) ? KIND_IMAGE : KIND_FF;
        int lastIndex = pieces.size() - 1;
        if (lastIndex >= 0 && pieceKinds.get(lastIndex) == kind) {
          pieces.get(lastIndex)[1] = cut;
        } else {
          pieces.add(new long[] {previous, cut});
          pieceKinds.add(kind);
        }
      }
      previous = cut;
    }
    long dropStart = 0;
    long dropEnd = 0;
    if (layout.hasHashesTable()) {
      int hwId = layout.hwDeviceId();
      if (hwId != ImageLayout.CX7_HW_ID && hwId != ImageLayout.CX8_HW_ID) {
        throw new ImageSigningException(
            String.format(
                "images with a hashes table are signed only for ConnectX-7/8 (supported_hw_id[0]"
                    + " 0x218/0x21e); this image names 0x%x, whose boot-record rules are unknown",
                hwId));
      }
      for (ItocSlot slot : layout.itocEntries()) {
        if (slot.cacheLineCrc()) {
          dropStart = slot.sectionAddress();
          dropEnd = dropStart + (long) (slot.sectionLength() / LINE) * LINE;
          break;
        }
      }
    }
    return new FwUpdateBlob(pieces, pieceKinds, dropStart, dropEnd);
  }

  private static boolean inAny(List<long[]> ranges, long position) {
    for (long[] range : ranges) {
      if (position >= range[0] && position < range[1]) {
        return true;
      }
    }
    return false;
  }

  /** Length of the data in bytes. */
  public long length() {
    long total = 0;
    for (int i = 0; i < starts.length; i++) {
      total += ends[i] - starts[i];
    }
    long lines = (dropEnd - dropStart) / LINE;
    return total - 4 * lines;
  }

  /**
   * Hashes the data, reading image bytes from {@code image} (absolute positions = file offsets).
   */
  public byte[] digest(ByteBuffer image, String algorithm) {
    return digest(image, algorithm, 0, new byte[0]);
  }

  /**
   * Hashes the data as if the image held {@code overlay} at file offset {@code overlayOffset}; the
   * verifier uses this to rebuild the hashes table as it was when a v2 image was signed.
   */
  public byte[] digest(ByteBuffer image, String algorithm, int overlayOffset, byte[] overlay) {
    MessageDigest digest = Digests.get(algorithm);
    Sink sink = new Sink(image, digest, null);
    sink.overlay(overlayOffset, overlay);
    emitAll(sink);
    sink.flush();
    return digest.digest();
  }

  /** The data as one array; for tests and small images only. */
  public byte[] toBytes(ByteBuffer image) {
    byte[] out = new byte[Math.toIntExact(length())];
    Sink sink = new Sink(image, null, out);
    emitAll(sink);
    sink.flush();
    return out;
  }

  private void emitAll(Sink sink) {
    for (int i = 0; i < starts.length; i++) {
      long position = starts[i];
      long end = ends[i];
      while (position < end) {
        if (position >= dropStart && position < dropEnd) {
          long lineStart = dropStart + (position - dropStart) / LINE * LINE;
          long dataEnd = lineStart + LINE_DATA;
          if (position < dataEnd) {
            long stop = Math.min(end, dataEnd);
            sink.add(kinds[i], position, stop - position);
            position = stop;
          } else {
            position = Math.min(end, lineStart + LINE);
          }
        } else {
          long stop = position < dropStart ? Math.min(end, dropStart) : end;
          sink.add(kinds[i], position, stop - position);
          position = stop;
        }
      }
    }
  }

  /** Gathers pieces into a buffer and passes full buffers on, so hashing sees large blocks. */
  private static final class Sink {
    private final ByteBuffer image;
    private final MessageDigest digest;
    private final byte[] out;
    private final byte[] buffer;
    private int used;
    private int outPosition;
    private long overlayOffset;
    private byte[] overlay = new byte[0];

    Sink(ByteBuffer image, MessageDigest digest, byte[] out) {
      this.image = image;
      this.digest = digest;
      this.out = out;
      this.buffer = new byte[1 << 20];
    }

    void overlay(long offset, byte[] bytes) {
      overlayOffset = offset;
      overlay = bytes;
    }

    void add(byte kind, long position, long length) {
      while (length > 0) {
        int chunk = (int) Math.min(length, buffer.length - used);
        if (kind == KIND_IMAGE) {
          image.get(Math.toIntExact(position), buffer, used, chunk);
          long from = Math.max(position, overlayOffset);
          long to = Math.min(position + chunk, overlayOffset + overlay.length);
          if (from < to) {
            System.arraycopy(
                overlay,
                (int) (from - overlayOffset),
                buffer,
                used + (int) (from - position),
                (int) (to - from));
          }
        } else {
          Arrays.fill(buffer, used, used + chunk, (byte) 0xFF);
        }
        used += chunk;
        position += chunk;
        length -= chunk;
        if (used == buffer.length) {
          flush();
        }
      }
    }

    void flush() {
      if (digest != null) {
        digest.update(buffer, 0, used);
      } else {
        System.arraycopy(buffer, 0, out, outPosition, used);
        outPosition += used;
      }
      used = 0;
    }
  }
}
