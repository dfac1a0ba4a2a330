package dev.kiln.inspector;

import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.format.TocEntry;
import dev.kiln.inspector.format.TocHeader;
import java.util.Optional;

/**
 * One ITOC or DTOC section as located by the parser: its entry and where its body is.
 *
 * @param table the table listing it
 * @param index position of the entry in its table (0-based)
 * @param entryOffset file offset of the 0x20-byte entry
 * @param entry the entry as stored
 * @param address the address stored in the entry, in bytes (ITOC: contiguous address; DTOC: file
 *     offset)
 * @param offset the file offset of the body after address translation (fs4-format.md §9.6)
 * @param inBounds true when {@code [offset, offset + size)} lies inside the file
 * @param withinSlot true when an ITOC section ends below 2^log2_img_slot_size (always true for DTOC
 *     sections)
 */
public record Section(
    TocHeader.Kind table,
    int index,
    long entryOffset,
    TocEntry entry,
    long address,
    long offset,
    boolean inBounds,
    boolean withinSlot) {

  /** The section type code. */
  public int type() {
    return entry.type();
  }

  /** The known type, if mstflint has a name for the code. */
  public Optional<SectionType> knownType() {
    return SectionType.of(entry.type());
  }

  /** The name mstflint prints ({@code UNKNOWN:0x77} for unknown types). */
  public String name() {
    return entry.typeName();
  }

  /** Size of the body in bytes. */
  public long size() {
    return entry.sizeBytes();
  }

  /** True for the section's type. */
  public boolean is(SectionType type) {
    return entry.type() == type.code();
  }

  /** {@code ITOC_ENTRY} or {@code DTOC_ENTRY}, the name findings about the entry use. */
  public String entryStructureName() {
    return table == TocHeader.Kind.ITOC ? "ITOC_ENTRY" : "DTOC_ENTRY";
  }
}
