package dev.kiln.inspector;

import dev.kiln.inspector.format.TocEntry;
import dev.kiln.inspector.format.TocHeader;
import java.util.List;

/**
 * A located ITOC or DTOC: header, where it was found, and its sections.
 *
 * @param kind ITOC or DTOC
 * @param headerOffset file offset of the header that was used
 * @param header the header as stored
 * @param failsafeCopy true when the ITOC was taken from toc_ptr + 0x1000 because the first copy
 *     was invalid
 * @param sections every non-END entry read, in table order
 * @param terminated true when an END entry closed the list inside the file and within the entry
 *     limit
 */
public record Toc(
    TocHeader.Kind kind,
    long headerOffset,
    TocHeader header,
    boolean failsafeCopy,
    List<Section> sections,
    boolean terminated) {
  public Toc {
    sections = List.copyOf(sections);
  }

  /** Bytes occupied by the header, the entries and (when present) the END entry. */
  public long tableSize() {
    return TocHeader.SIZE + (long) (sections.size() + (terminated ? 1 : 0)) * TocEntry.SIZE;
  }

  /** {@code ITOC_HEADER} or {@code DTOC_HEADER}. */
  public String headerName() {
    return kind == TocHeader.Kind.ITOC ? "ITOC_HEADER" : "DTOC_HEADER";
  }
}
