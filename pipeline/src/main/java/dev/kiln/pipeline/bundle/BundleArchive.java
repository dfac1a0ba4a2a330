package dev.kiln.pipeline.bundle;

import dev.kiln.inspector.io.BoundedFiles;
import dev.kiln.pipeline.report.CheckFinding;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.archivers.zip.ZipMethod;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/**
 * Reads a bundle's zip archive so that kiln, {@code unzip} and Python's {@code zipfile} can only
 * ever see the same entries with the same bytes, or kiln refuses the bundle.
 *
 * <p>Apache Commons Compress {@link ZipFile} reads the archive from its central directory, as
 * {@code unzip} and {@code zipfile} do. On top of it, the archive must be exactly one zip and
 * nothing else (PKWARE APPNOTE.TXT 6.3.10, §4.3.6 "overall .ZIP file format"):
 *
 * <ul>
 *   <li>the end-of-central-directory record (§4.3.16) is the last 22 bytes, with no comment, no
 *       ZIP64 and one disk; the central directory ends right where it starts, and the first
 *       local header is at offset 0 (so nothing is prepended: {@code cat old.kbundle
 *       new.kbundle} is refused rather than read as either release);
 *   <li>local headers (§4.3.7), entry data and data descriptors (§4.3.9) tile the bytes from 0
 *       to the central directory without gap or overlap, and every local header agrees with its
 *       central-directory record on name (byte for byte), flags, method, CRC and sizes;
 *   <li>only STORED and DEFLATED, no encryption;
 *   <li>at most {@link #MAX_ENTRIES} entries, {@link #MAX_ENTRY_BYTES} per entry and {@link
 *       #MAX_TOTAL_BYTES} in all, judged on the declared sizes before anything is inflated and
 *       enforced while inflating (an entry must inflate to exactly its declared size and CRC).
 * </ul>
 *
 * <p>Names that could escape an extraction directory and names used twice are findings, not
 * errors, so that {@code kiln bundle verify} can list every one; their data is never read.
 */
final class BundleArchive {
  /** Refuse bundles with more entries than any real release has (zip bombs by count). */
  static final int MAX_ENTRIES = 256;
  /** Refuse entries larger than any ConnectX flash image (zip bombs by size). */
  static final long MAX_ENTRY_BYTES = 256L << 20;
  /** Refuse bundles whose entries inflate to more than this in all. */
  static final long MAX_TOTAL_BYTES = 1L << 30;
  /** Largest manifest.json; a release's manifest is a few KiB. */
  static final long MAX_MANIFEST_BYTES = 1L << 20;
  /** Largest manifest.sig; an RSA-4096 signature document is under 1 KiB. */
  static final long MAX_SIGNATURE_BYTES = 64L << 10;

  // PKWARE APPNOTE.TXT 6.3.10: §4.3.16 end of central directory record, §4.3.7 local file
  // header, §4.3.9 data descriptor. All fields little-endian.
  private static final int EOCD_SIGNATURE = 0x06054b50;
  private static final int EOCD_SIZE = 22;
  private static final int LOCAL_SIGNATURE = 0x04034b50;
  private static final int LOCAL_FIXED_SIZE = 30;
  private static final int DESCRIPTOR_SIGNATURE = 0x08074b50;
  private static final int FLAG_ENCRYPTED = 1;
  private static final int FLAG_DATA_DESCRIPTOR = 1 << 3;

  private BundleArchive() {}

  /**
   * The entries of {@code bundle} by name, in central-directory order. Unsafe, duplicate and
   * directory entries become findings in {@code findings} and are left out.
   *
   * @throws IOException if the bytes are not exactly one well-formed zip archive within the limits
   *     (the message says what is wrong, for exit 3)
   */
  static Map<String, byte[]> read(byte[] bundle, List<CheckFinding> findings) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(bundle).order(ByteOrder.LITTLE_ENDIAN);
    long directoryStart = checkEnd(bytes);
    try (ZipFile zip =
        ZipFile.builder()
            .setSeekableByteChannel(new SeekableInMemoryByteChannel(bundle))
            .setUseUnicodeExtraFields(false)
            .get()) {
      List<ZipArchiveEntry> entries = Collections.list(zip.getEntries());
      checkLimits(entries, bytes.getShort(bundle.length - EOCD_SIZE + 10) & 0xFFFF);
      checkTiling(bytes, entries, directoryStart);
      return contents(zip, entries, findings);
    } catch (IOException | RuntimeException e) {
      if (e instanceof MalformedBundleException malformed) {
        throw malformed;
      }
      // Commons Compress reports a damaged archive with IOException or, for some fields, an
      // unchecked exception; either way the bundle cannot be read.
      throw new MalformedBundleException("not a readable zip archive: " + e.getMessage(), e);
    }
  }

  /** A bundle whose archive kiln refuses to read; exit 3. */
  static final class MalformedBundleException extends IOException {
    private static final long serialVersionUID = 1L;

    MalformedBundleException(String message) {
      super(message);
    }

    MalformedBundleException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Checks the end record and returns where the central directory starts. */
  private static long checkEnd(ByteBuffer bytes) throws MalformedBundleException {
    int length = bytes.capacity();
    if (length < EOCD_SIZE || bytes.getInt(length - EOCD_SIZE) != EOCD_SIGNATURE) {
      int earlier = lastEndRecordBefore(bytes, length - EOCD_SIZE);
      if (earlier >= 0) {
        throw new MalformedBundleException(
            "data after the end of the zip archive (" + (length - earlier - EOCD_SIZE)
                + " bytes after its end record): a bundle is one archive and nothing else");
      }
      throw new MalformedBundleException("not a zip archive (no end of central directory)");
    }
    int end = length - EOCD_SIZE;
    int disk = bytes.getShort(end + 4) & 0xFFFF;
    int directoryDisk = bytes.getShort(end + 6) & 0xFFFF;
    int entriesHere = bytes.getShort(end + 8) & 0xFFFF;
    int entriesTotal = bytes.getShort(end + 10) & 0xFFFF;
    long directorySize = bytes.getInt(end + 12) & 0xFFFF_FFFFL;
    long directoryStart = bytes.getInt(end + 16) & 0xFFFF_FFFFL;
    if (disk != 0 || directoryDisk != 0 || entriesHere != entriesTotal) {
      throw new MalformedBundleException("a multi-disk zip archive is not a bundle");
    }
    if (entriesTotal == 0xFFFF || directorySize == 0xFFFF_FFFFL
        || directoryStart == 0xFFFF_FFFFL) {
      throw new MalformedBundleException("a ZIP64 archive is not a bundle");
    }
    if (entriesTotal == 0) {
      throw new MalformedBundleException("not a bundle: the zip archive has no entries");
    }
    if (entriesTotal > MAX_ENTRIES) {
      throw new MalformedBundleException(
          "the zip archive has " + entriesTotal + " entries, more than the " + MAX_ENTRIES
              + " a bundle may hold");
    }
    if (directoryStart + directorySize < end) {
      throw new MalformedBundleException(
          "data before the zip archive or inside it: its central directory ends at "
              + (directoryStart + directorySize) + " but its end record is at " + end
              + " (two archives concatenated?)");
    }
    if (directoryStart + directorySize > end) {
      throw new MalformedBundleException(
          "the zip archive's central directory overlaps its end record");
    }
    return directoryStart;
  }

  /** The offset of the last end-record signature before {@code from}, within a comment's reach. */
  private static int lastEndRecordBefore(ByteBuffer bytes, int from) {
    for (int at = Math.min(from, bytes.capacity() - EOCD_SIZE);
        at >= 0 && at >= from - 0xFFFF; at--) {
      if (bytes.getInt(at) == EOCD_SIGNATURE) {
        return at;
      }
    }
    return -1;
  }

  private static void checkLimits(List<ZipArchiveEntry> entries, int declared)
      throws MalformedBundleException {
    if (entries.size() != declared) {
      throw new MalformedBundleException(
          "the zip archive's end record counts " + declared + " entries but its central"
              + " directory holds " + entries.size());
    }
    long total = 0;
    for (ZipArchiveEntry entry : entries) {
      int method = entry.getMethod();
      if (method != ZipMethod.STORED.getCode() && method != ZipMethod.DEFLATED.getCode()) {
        throw new MalformedBundleException(
            "entry " + printable(entry) + " uses zip method " + method
                + "; bundles use STORED or DEFLATED only");
      }
      if ((entry.getGeneralPurposeBit().usesEncryption())) {
        throw new MalformedBundleException("entry " + printable(entry) + " is encrypted");
      }
      long size = entry.getSize();
      long limit = limitFor(entry.getName());
      if (size < 0 || size > limit) {
        throw new MalformedBundleException(
            "entry " + printable(entry) + " inflates to " + size + " bytes, more than the "
                + BoundedFiles.describe(limit) + " "
                + (limit == MAX_ENTRY_BYTES ? "a bundle entry" : entry.getName()) + " may hold");
      }
      total += size;
      if (total > MAX_TOTAL_BYTES) {
        throw new MalformedBundleException(
            "the bundle's entries inflate to more than the "
                + BoundedFiles.describe(MAX_TOTAL_BYTES) + " a bundle may hold in all");
      }
    }
  }

  /** The largest inflated size an entry of this name may declare. */
  private static long limitFor(String name) {
    return switch (name) {
      case BundleLayout.MANIFEST -> MAX_MANIFEST_BYTES;
      case BundleLayout.SIGNATURE -> MAX_SIGNATURE_BYTES;
      default -> MAX_ENTRY_BYTES;
    };
  }

  /**
   * Local headers, data and descriptors must tile [0, directoryStart) exactly, each local header
   * agreeing with its central-directory record.
   */
  private static void checkTiling(
      ByteBuffer bytes, List<ZipArchiveEntry> entries, long directoryStart)
      throws MalformedBundleException {
    List<ZipArchiveEntry> physical = new ArrayList<>(entries);
    physical.sort(Comparator.comparingLong(ZipArchiveEntry::getLocalHeaderOffset));
    long expected = 0;
    for (ZipArchiveEntry entry : physical) {
      long offset = entry.getLocalHeaderOffset();
      if (offset != expected) {
        throw new MalformedBundleException(
            offset > expected
                ? "bytes " + expected + " to " + offset + " of the bundle belong to no zip entry"
                    + " (data hidden before or between entries)"
                : "zip entry " + printable(entry) + " overlaps the entry before it");
      }
      expected = checkLocalHeader(bytes, entry, directoryStart);
    }
    if (expected != directoryStart) {
      throw new MalformedBundleException(
          "bytes " + expected + " to " + directoryStart + " of the bundle belong to no zip entry"
              + " (data hidden before the central directory)");
    }
  }

  /** Checks one local header against its central record; returns where the entry ends. */
  private static long checkLocalHeader(ByteBuffer bytes, ZipArchiveEntry entry, long limit)
      throws MalformedBundleException {
    long offset = entry.getLocalHeaderOffset();
    String name = printable(entry);
    if (offset + LOCAL_FIXED_SIZE > limit || bytes.getInt((int) offset) != LOCAL_SIGNATURE) {
      throw new MalformedBundleException(
          "entry " + name + ": no local header where the central directory says");
    }
    int at = (int) offset;
    int flags = bytes.getShort(at + 6) & 0xFFFF;
    int method = bytes.getShort(at + 8) & 0xFFFF;
    long crc = bytes.getInt(at + 14) & 0xFFFF_FFFFL;
    long compressed = bytes.getInt(at + 18) & 0xFFFF_FFFFL;
    long size = bytes.getInt(at + 22) & 0xFFFF_FFFFL;
    int nameLength = bytes.getShort(at + 26) & 0xFFFF;
    int extraLength = bytes.getShort(at + 28) & 0xFFFF;
    long dataStart = offset + LOCAL_FIXED_SIZE + nameLength + extraLength;
    if (dataStart > limit) {
      throw new MalformedBundleException("entry " + name + ": its local header is cut off");
    }
    byte[] localName = new byte[nameLength];
    bytes.get(at + LOCAL_FIXED_SIZE, localName);
    int centralFlags = centralFlags(entry);
    if (!Arrays.equals(localName, entry.getRawName())) {
      throw new MalformedBundleException(
          "entry " + name + ": its local header names it '" + printable(localName)
              + "': the central directory and the local headers disagree");
    }
    if (flags != centralFlags || method != entry.getMethod()) {
      throw new MalformedBundleException(
          "entry " + name + ": its local header's flags or method differ from the central"
              + " directory's");
    }
    boolean descriptor = (flags & FLAG_DATA_DESCRIPTOR) != 0;
    if (!descriptor && !matches(entry, crc, compressed, size)) {
      throw new MalformedBundleException(
          "entry " + name + ": its local header's CRC or sizes differ from the central"
              + " directory's");
    }
    if (dataStart != entry.getDataOffset()) {
      throw new MalformedBundleException("entry " + name + ": its data is not where expected");
    }
    long end = dataStart + entry.getCompressedSize();
    if (end > limit) {
      throw new MalformedBundleException(
          "entry " + name + ": its data runs into the central directory");
    }
    if (descriptor) {
      end = checkDescriptor(bytes, entry, end, limit);
    }
    return end;
  }

  /** A data descriptor (§4.3.9, 32-bit sizes, signature optional) matching the central record. */
  private static long checkDescriptor(ByteBuffer bytes, ZipArchiveEntry entry, long at, long limit)
      throws MalformedBundleException {
    long position = at;
    if (position + 4 <= limit && bytes.getInt((int) position) == DESCRIPTOR_SIGNATURE) {
      position += 4;
    }
    if (position + 12 > limit
        || !matches(entry, bytes.getInt((int) position) & 0xFFFF_FFFFL,
            bytes.getInt((int) position + 4) & 0xFFFF_FFFFL,
            bytes.getInt((int) position + 8) & 0xFFFF_FFFFL)) {
      throw new MalformedBundleException(
          "entry " + printable(entry) + ": its data descriptor differs from the central"
              + " directory");
    }
    return position + 12;
  }

  private static boolean matches(ZipArchiveEntry entry, long crc, long compressed, long size) {
    return crc == entry.getCrc() && compressed == entry.getCompressedSize()
        && size == entry.getSize();
  }

  private static int centralFlags(ZipArchiveEntry entry) {
    byte[] encoded = entry.getGeneralPurposeBit().encode();
    return (encoded[0] & 0xFF) | (encoded[1] & 0xFF) << 8;
  }

  private static Map<String, byte[]> contents(
      ZipFile zip, List<ZipArchiveEntry> entries, List<CheckFinding> findings)
      throws IOException {
    Map<String, byte[]> contents = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (ZipArchiveEntry entry : entries) {
      String name = entry.getName();
      if (!isSafeName(name) || !Arrays.equals(entry.getRawName(), name.getBytes(
          java.nio.charset.StandardCharsets.UTF_8))) {
        findings.add(
            CheckFinding.error(
                BundleCodes.UNSAFE_ENTRY_NAME,
                "entry '" + printable(entry) + "' could be extracted outside its directory"));
        continue;
      }
      if (!seen.add(name)) {
        findings.add(
            CheckFinding.error(
                BundleCodes.DUPLICATE_ENTRY, "the bundle holds two entries named " + name));
        contents.remove(name); // neither copy is used: tools disagree on which one wins
        continue;
      }
      if (entry.isDirectory()) {
        findings.add(
            CheckFinding.error(BundleCodes.EXTRA_ENTRY, "the bundle holds directory " + name));
        continue;
      }
      contents.put(name, inflate(zip, entry));
    }
    return contents;
  }

  /** The entry's bytes: exactly its declared size and CRC, never more than that read. */
  private static byte[] inflate(ZipFile zip, ZipArchiveEntry entry) throws IOException {
    byte[] data;
    try (InputStream in = zip.getInputStream(entry)) {
      data = in.readNBytes(Math.toIntExact(entry.getSize() + 1));
    }
    if (data.length != entry.getSize()) {
      throw new MalformedBundleException(
          "entry " + printable(entry) + " inflates to "
              + (data.length > entry.getSize() ? "more" : "fewer") + " bytes than the "
              + entry.getSize() + " its headers declare");
    }
    CRC32 crc = new CRC32();
    crc.update(data);
    if (crc.getValue() != entry.getCrc()) {
      throw new MalformedBundleException(
          "entry " + printable(entry) + ": its data does not match its CRC-32");
    }
    return data;
  }

  /** Names that stay inside the extraction directory on every platform. */
  static boolean isSafeName(String name) {
    if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.contains(":")
        || name.indexOf('\0') >= 0) {
      return false;
    }
    for (String part : name.split("/", -1)) {
      if (part.equals("..") || part.equals(".")) {
        return false;
      }
    }
    return true;
  }

  private static String printable(ZipArchiveEntry entry) {
    return printable(entry.getRawName());
  }

  /** A raw name for a message: control characters and non-ASCII bytes escaped. */
  private static String printable(byte[] raw) {
    StringBuilder out = new StringBuilder();
    for (byte b : raw) {
      int c = b & 0xFF;
      if (c >= 0x20 && c < 0x7F) {
        out.append((char) c);
      } else {
        out.append(String.format("\\x%02x", c));
      }
    }
    return out.toString();
  }
}
