package dev.kiln.inspector;

import dev.kiln.inspector.format.Boot2;
import dev.kiln.inspector.format.Dwords;
import dev.kiln.inspector.format.HashesTable;
import dev.kiln.inspector.format.HwPointer;
import dev.kiln.inspector.format.HwPointers;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.format.ToolsArea;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A parsed FS4 or FS3 image ({@link #format()}): its bytes (a read-only view, usually of a
 * memory-mapped file) and every structure the parser located, with its file offset and size.
 * Nothing here is a copy of the image; a writer can change one section and keep every other
 * byte as it was by copying {@link #bytes()} and patching the offsets found here.
 *
 * <p>Instances are immutable and come from {@link ImageParser}. Structures that could not be read
 * (pointer outside the file, bad size) are empty {@code Optional}s, and the reason is among {@link
 * #parseFindings()}; {@link ImageVerifier} adds the checks on section contents.
 */
public final class Fs4Image {
  private final ImageFormat format;
  private final String source;
  private final Path file;
  private final ByteBuffer bytes;
  private final long imageStart;
  private final List<Long> magicOffsets;
  private final int bootVersion;
  private final HwPointers hwPointers;
  private final int log2SlotSize;
  private final ToolsArea toolsArea;
  private final Boot2 boot2;
  private final HashesTable hashesTable;
  private final Toc itoc;
  private final Toc dtoc;
  private final List<Structure> structures;
  private final List<Finding> parseFindings;

  Fs4Image(
      ImageFormat format,
      String source,
      Path file,
      ByteBuffer bytes,
      long imageStart,
      List<Long> magicOffsets,
      int bootVersion,
      HwPointers hwPointers,
      int log2SlotSize,
      ToolsArea toolsArea,
      Boot2 boot2,
      HashesTable hashesTable,
      Toc itoc,
      Toc dtoc,
      List<Structure> structures,
      List<Finding> parseFindings) {
    this.format = format;
    this.source = source;
    this.file = file;
    this.bytes = bytes.asReadOnlyBuffer().order(ByteOrder.BIG_ENDIAN);
    this.imageStart = imageStart;
    this.magicOffsets = List.copyOf(magicOffsets);
    this.bootVersion = bootVersion;
    this.hwPointers = hwPointers;
    this.log2SlotSize = log2SlotSize;
    this.toolsArea = toolsArea;
    this.boot2 = boot2;
    this.hashesTable = hashesTable;
    this.itoc = itoc;
    this.dtoc = dtoc;
    this.structures = List.copyOf(structures);
    this.parseFindings = List.copyOf(parseFindings);
  }

  /** FS4 or FS3: which magic was found, and so which rules the structures follow. */
  public ImageFormat format() {
    return format;
  }

  /** Where the image came from (a path or a caller-given name), for messages. */
  public String source() {
    return source;
  }

  /**
   * The file the image was mapped from, when it came from {@link ImageParser#parse(Path)}. The
   * verifier reads large section bodies through it rather than through the mapping (cheaper than
   * faulting in every page of a fresh mapping).
   */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /** A read-only, big-endian view of the whole file; each call returns an independent view. */
  public ByteBuffer bytes() {
    return bytes.duplicate().order(ByteOrder.BIG_ENDIAN);
  }

  /** File size in bytes. */
  public long size() {
    return bytes.limit();
  }

  /** File offset of the FS4 magic that was used (normally 0). */
  public long imageStart() {
    return imageStart;
  }

  /** Every search offset where an FS4 magic was found (more than one is an error). */
  public List<Long> magicOffsets() {
    return magicOffsets;
  }

  /**
   * The boot_version dword at image start + 0x10 (FS4), or the format dword at image start +
   * 0x24 (FS3, {@link dev.kiln.inspector.format.Fs3BootArea}).
   */
  public int bootVersion() {
    return bootVersion;
  }

  /**
   * The image format version (top byte of boot_version or of the FS3 format dword); 1 for valid
   * FS4 images, 3 for valid FS3 images.
   */
  public int formatVersion() {
    return bootVersion >>> 24;
  }

  /** The 16 HW pointers; an FS3 image has none, and all 16 read as 0 there. */
  public HwPointers hwPointers() {
    return hwPointers;
  }

  /** The effective value of one HW pointer (relative to the image start). */
  public long hwPointer(HwPointer pointer) {
    return Integer.toUnsignedLong(hwPointers.value(pointer));
  }

  /** The FW security version (HW pointer 13, a value rather than a pointer); 0 for FS3. */
  public long securityVersion() {
    return hwPointer(HwPointer.FW_SECURITY_VERSION);
  }

  /** The log2 slot size used for ITOC address translation. */
  public int log2SlotSize() {
    return log2SlotSize;
  }

  public Optional<ToolsArea> toolsArea() {
    return Optional.ofNullable(toolsArea);
  }

  public Optional<Boot2> boot2() {
    return Optional.ofNullable(boot2);
  }

  public Optional<HashesTable> hashesTable() {
    return Optional.ofNullable(hashesTable);
  }

  public Optional<Toc> itoc() {
    return Optional.ofNullable(itoc);
  }

  public Optional<Toc> dtoc() {
    return Optional.ofNullable(dtoc);
  }

  /** Boot-area structures and the two tables, in file order of discovery. */
  public List<Structure> structures() {
    return structures;
  }

  /** The structure named {@code name}, if located. */
  public Optional<Structure> structure(String name) {
    return structures.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** Problems found while locating structures (verification adds the rest). */
  public List<Finding> parseFindings() {
    return parseFindings;
  }

  /**
   * The sections holding device data as mstflint decodes them: the DTOC's sections (FS4), or the
   * ITOC's MFG_INFO and DEV_INFO sections and those marked device_data (FS3, where mstflint
   * decodes MFG_INFO and DEV_INFO by type; fs3_ops.cpp Fs3Operations::GetImageInfoFromSection).
   */
  public List<Section> deviceDataSections() {
    if (format == ImageFormat.FS4) {
      return dtoc().map(Toc::sections).orElse(List.of());
    }
    return itoc().map(t -> t.sections().stream()
        .filter(s -> s.entry().fs3DeviceData() || s.is(SectionType.MFG_INFO)
            || s.is(SectionType.DEV_INFO))
        .toList()).orElse(List.of());
  }

  /** ITOC sections followed by DTOC sections, in table order. */
  public List<Section> sections() {
    List<Section> all = new ArrayList<>();
    itoc().ifPresent(t -> all.addAll(t.sections()));
    dtoc().ifPresent(t -> all.addAll(t.sections()));
    return List.copyOf(all);
  }

  /** The first section of {@code type} (ITOC first, then DTOC) whose body is inside the file. */
  public Optional<Section> section(SectionType type) {
    return sections().stream().filter(s -> s.is(type) && s.inBounds()).findFirst();
  }

  /** Every section of {@code type} whose body is inside the file. */
  public List<Section> sectionsOf(SectionType type) {
    return sections().stream().filter(s -> s.is(type) && s.inBounds()).toList();
  }

  /**
   * A read-only view of a section body, without copying.
   *
   * @throws IllegalArgumentException if the section is not inside the file
   */
  public ByteBuffer body(Section section) {
    if (!section.inBounds()) {
      throw new IllegalArgumentException(section.name() + " is not inside the file");
    }
    return bytes
        .slice((int) section.offset(), (int) section.size())
        .asReadOnlyBuffer()
        .order(ByteOrder.BIG_ENDIAN);
  }

  /** A copy of a section body (for the small sections whose content is decoded). */
  public byte[] bodyBytes(Section section) {
    if (!section.inBounds()) {
      throw new IllegalArgumentException(section.name() + " is not inside the file");
    }
    return Dwords.copy(bytes, (int) section.offset(), (int) section.size());
  }

  /** A copy of {@code length} bytes at file offset {@code offset}. */
  public byte[] copy(long offset, int length) {
    if (!Dwords.fits(offset, length, size())) {
      throw new IllegalArgumentException(
          String.format("0x%x+0x%x is outside the %d-byte file", offset, length, size()));
    }
    return Dwords.copy(bytes, (int) offset, length);
  }

  @Override
  public String toString() {
    return "Fs4Image[" + source + ", " + size() + " bytes, " + sections().size() + " sections]";
  }
}
