package dev.kiln.inspector;

import dev.kiln.inspector.SectionCheck.Status;
import dev.kiln.inspector.format.Crc16;
import dev.kiln.inspector.format.Dwords;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.format.TocEntry;
import dev.kiln.inspector.format.TocHeader;
import dev.kiln.inspector.internal.ContentChecks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Structural verification of a parsed image: every check mstflint's {@code verify} runs
 * (fs4-format.md §17; for FS3 images those of fs3_ops.cpp Fs3Operations::VerifyTOC, §18) plus the ones it misses — overlapping sections, sections beyond the image
 * slot, unknown section types and CRC modes 3..7. Problems are returned as findings; nothing is
 * thrown.
 *
 * <p>Cost: one CRC pass over each section body, straight from the (mapped) buffer; nothing is
 * copied except the few hundred bytes of IMAGE_INFO, MFG_INFO and DEV_INFO.
 */
public final class ImageVerifier {
  /** Size of one cache line of a cache_line_crc section: 64 data bytes + 4 check bytes. */
  private static final int CACHE_LINE = 68;

  private ImageVerifier() {}

  /** Verifies {@code image}. */
  public static VerificationResult verify(Fs4Image image) {
    List<Finding> findings = new ArrayList<>(image.parseFindings());
    List<SectionCheck> checks = new ArrayList<>();
    ByteBuffer bytes = image.bytes();
    FileChannel channel = openQuietly(image);
    try {
      for (Section section : image.sections()) {
        checks.add(checkSection(image, bytes, channel, section, findings));
      }
    } finally {
      closeQuietly(channel);
    }
    findOverlaps(image, findings);
    ContentChecks.run(image, findings);
    return new VerificationResult(findings, checks);
  }

  /** Sections at least this large are read through the file instead of the mapping. */
  private static final int STREAM_THRESHOLD = 256 * 1024;

  /**
   * A channel on the image file for streaming large section bodies, or null for in-memory images
   * or when the file cannot be opened again (then the mapping is used).
   */
  private static FileChannel openQuietly(Fs4Image image) {
    if (image.file().isEmpty()) {
      return null;
    }
    try {
      FileChannel channel = FileChannel.open(image.file().get(), StandardOpenOption.READ);
      if (channel.size() == image.size()) {
        return channel;
      }
      channel.close(); // changed since it was parsed: stay with the mapped bytes
    } catch (IOException e) {
      // fall back to the mapping
    }
    return null;
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // read-only channel: nothing to lose
      }
    }
  }

  /**
   * CRC16-SW of a body range, streamed from the file when that is cheaper; -1 when the file can
   * no longer be read there (it shrank after parsing; touching the mapping beyond its new end
   * would fault, so the mapping is not used as a fallback).
   */
  private static int crc(ByteBuffer bytes, FileChannel channel, int offset, int length) {
    if (channel != null && length >= STREAM_THRESHOLD) {
      try {
        return Crc16.swParallel(channel, offset, length);
      } catch (IOException e) {
        return -1;
      }
    }
    return Crc16.swParallel(bytes, offset, length);
  }

  private static SectionCheck checkSection(
      Fs4Image image, ByteBuffer bytes, FileChannel channel, Section section,
      List<Finding> findings) {
    TocEntry entry = section.entry();
    String name = section.name();
    if (section.knownType().isEmpty()) {
      findings.add(Finding.of(FindingCode.SECTION_TYPE_UNKNOWN, section.entryOffset(), name,
          String.format("%s entry %d has section type 0x%02x, which mstflint does not know",
              section.table(), section.index(), section.type())));
    }
    if (!entry.entryCrcOk()) {
      return new SectionCheck(section, Status.UNCHECKED, 0, 0);
    }
    if (!section.withinSlot()) {
      findings.add(Finding.of(FindingCode.SECTION_BEYOND_SLOT, section.offset(), name,
          String.format("section at 0x%x+0x%x ends beyond the image slot (2^0x%x bytes); "
              + "mstflint reads it at a translated address", section.address(), section.size(),
              image.log2SlotSize())));
    }
    if (!section.inBounds()) {
      findings.add(Finding.of(FindingCode.SECTION_OUT_OF_BOUNDS, section.offset(), name,
          String.format("section of 0x%x bytes at 0x%x is outside the %d-byte file",
              section.size(), section.offset(), image.size())));
      return new SectionCheck(section, Status.UNCHECKED, 0, 0);
    }
    int offset = (int) section.offset();
    int size = (int) section.size();
    boolean fs3 = image.format() == ImageFormat.FS3;
    // FS3 has one CRC bit: no_crc; device_data (FS4's mode 2 bit) does not move the CRC.
    int mode = fs3 ? (entry.fs3NoCrc() ? TocEntry.CRC_NONE : TocEntry.CRC_IN_ENTRY)
        : entry.crcMode();
    if (mode == TocEntry.CRC_NONE) {
      return new SectionCheck(section, Status.IGNORED, 0, 0);
    }
    if (mode > TocEntry.CRC_IN_SECTION) {
      findings.add(Finding.of(FindingCode.SECTION_CRC_MODE, section.entryOffset(), name,
          String.format("crc mode %d is undefined; mstflint silently skips the CRC of this "
              + "section", mode)));
      return new SectionCheck(section, Status.IGNORED, 0, 0);
    }
    if (section.table() == TocHeader.Kind.DTOC
        && section.is(SectionType.DEV_INFO)
        && !ContentChecks.hasDevInfoSignature(bytes, offset, size)) {
      return new SectionCheck(section, Status.IGNORED, 0, 0); // an unused DEV_INFO copy
    }
    if (!fs3
        && entry.cacheLineCrc()
        && size >= CACHE_LINE
        && (Dwords.get(bytes, offset + 64) >>> 16) != 0) {
      return new SectionCheck(section, Status.IGNORED, 0, 0); // carries an auth tag: encrypted
    }
    int stored;
    int computed;
    if (mode == TocEntry.CRC_IN_ENTRY) {
      stored = entry.sectionCrc();
      computed = crc(bytes, channel, offset, size);
    } else {
      if (size < 4) {
        findings.add(Finding.of(FindingCode.SECTION_CRC, offset, name,
            "crc mode 2 needs a last dword for the CRC, but the section is empty"));
        return new SectionCheck(section, Status.BAD, 0, 0);
      }
      stored = Dwords.get(bytes, offset + size - 4) & 0xFFFF;
      computed = crc(bytes, channel, offset, size - 4);
    }
    if (computed < 0) {
      findings.add(Finding.of(FindingCode.SECTION_OUT_OF_BOUNDS, offset, name,
          "the body can no longer be read: the file changed after it was parsed"));
      return new SectionCheck(section, Status.UNCHECKED, stored, 0);
    }
    if (stored != computed) {
      findings.add(Finding.of(FindingCode.SECTION_CRC, offset, name,
          String.format("wrong CRC (stored 0x%04x, computed 0x%04x)", stored, computed)));
      return new SectionCheck(section, Status.BAD, stored, computed);
    }
    return new SectionCheck(section, Status.OK, stored, computed);
  }

  /** One byte range taking part in the overlap check. */
  private record Extent(String name, String structure, long start, long end, boolean section) {}

  /**
   * Reports sections sharing bytes with another section or with a boot/TOC structure. A sweep
   * over extents sorted by start: each extent is compared with the one reaching furthest so far,
   * so the work is O(n log n) for the at most ~130 extents an image can have.
   */
  private static void findOverlaps(Fs4Image image, List<Finding> findings) {
    List<Extent> extents = new ArrayList<>();
    for (Section s : image.sections()) {
      if (s.inBounds() && s.size() > 0 && s.entry().entryCrcOk()) {
        extents.add(new Extent(s.table() + " " + s.name() + " (entry " + s.index() + ")",
            s.name(), s.offset(), s.offset() + s.size(), true));
      }
    }
    for (Structure structure : image.structures()) {
      if (structure.size() > 0) {
        extents.add(new Extent(structure.name(), structure.name(), structure.offset(),
            structure.offset() + structure.size(), false));
      }
    }
    extents.sort(Comparator.comparingLong(Extent::start).thenComparingLong(Extent::end));
    Extent furthest = null;
    for (Extent extent : extents) {
      if (furthest != null
          && extent.start() < furthest.end()
          && (extent.section() || furthest.section())) {
        findings.add(Finding.of(FindingCode.SECTION_OVERLAP, extent.start(),
            extent.section() ? extent.structure() : furthest.structure(),
            String.format("%s at 0x%x-0x%x overlaps %s at 0x%x-0x%x", extent.name(),
                extent.start(), extent.end() - 1, furthest.name(), furthest.start(),
                furthest.end() - 1)));
      }
      if (furthest == null || extent.end() > furthest.end()) {
        furthest = extent;
      }
    }
  }
}
