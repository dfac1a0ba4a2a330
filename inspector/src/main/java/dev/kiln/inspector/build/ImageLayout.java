package dev.kiln.inspector.build;

import dev.kiln.inspector.format.TocHeader;
import java.util.List;
import java.util.Optional;

/**
 * Where {@link ImageWriter} puts every structure of an image (all offsets are file offsets; the
 * image starts at 0). Returned by {@link ImageWriter#plan} before anything is written, and by
 * {@link ImageWriter#write} after.
 *
 * @param imageSize file size
 * @param log2SlotSize tools-area log2_img_slot_size
 * @param bootRecordOffset boot record (zero bytes)
 * @param bootRecordSize bytes reserved for the boot record
 * @param toolsOffset tools area (0x40 bytes)
 * @param boot2Offset BOOT2
 * @param boot2Size BOOT2 size in bytes
 * @param hashesTableOffset hashes table, or 0 when the image has none
 * @param itocOffset ITOC header (the fail-safe slot at +0x1000 stays 0xFF)
 * @param dtocOffset DTOC header (image size − 0x1000)
 * @param sections every section, ITOC sections first, in table order
 */
public record ImageLayout(
    long imageSize,
    int log2SlotSize,
    long bootRecordOffset,
    int bootRecordSize,
    long toolsOffset,
    long boot2Offset,
    long boot2Size,
    long hashesTableOffset,
    long itocOffset,
    long dtocOffset,
    List<Placement> sections) {

  public ImageLayout {
    sections = List.copyOf(sections);
  }

  /**
   * One placed section.
   *
   * @param name the name mstflint prints for its type
   * @param type type code
   * @param table ITOC or DTOC
   * @param offset file offset of the body
   * @param size body size in bytes
   * @param crcMode the entry's crc mode (0 in entry, 1 none, 2 in section)
   */
  public record Placement(
      String name, int type, TocHeader.Kind table, long offset, long size, int crcMode) {
    /** First byte after the body. */
    public long end() {
      return offset + size;
    }
  }

  /** The first section of {@code type} in {@code table}. */
  public Optional<Placement> section(TocHeader.Kind table, int type) {
    return sections.stream().filter(p -> p.table() == table && p.type() == type).findFirst();
  }

  /** The sections of one table, in entry order. */
  public List<Placement> sectionsOf(TocHeader.Kind table) {
    return sections.stream().filter(p -> p.table() == table).toList();
  }
}
