package dev.kiln.inspector;

import dev.kiln.inspector.format.AddressTranslation;
import dev.kiln.inspector.format.Boot2;
import dev.kiln.inspector.format.Dwords;
import dev.kiln.inspector.format.Fs3BootArea;
import dev.kiln.inspector.format.Fs4Magic;
import dev.kiln.inspector.format.HashesTable;
import dev.kiln.inspector.format.HwPointer;
import dev.kiln.inspector.format.HwPointers;
import dev.kiln.inspector.format.TocEntry;
import dev.kiln.inspector.format.TocHeader;
import dev.kiln.inspector.format.ToolsArea;
import dev.kiln.inspector.io.BoundedFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads FS4 images (fs4-format.md §3–§12) and FS3 images (§18). Files are memory-mapped read-only, so a 64 MiB image
 * costs address space, not heap, and only the pages of the structures actually touched are read.
 *
 * <p>The parser trusts nothing it reads: every pointer and size is checked against the file length
 * before use, entry lists are bounded by the format's limit of 63 entries, and no pointer is
 * followed more than once, so a hostile file cannot make it allocate more than a few KiB, loop or
 * run long. Problems inside a recognisable image become {@link Finding}s; only input that is not
 * an FS4 image at all raises {@link ImageFormatException}.
 */
public final class ImageParser {
  /**
   * Largest file accepted: 256 MiB. The biggest flash parts of the supported adapters are far
   * smaller (real images are 16–64 MiB), and the limit keeps every offset an {@code int}.
   */
  public static final long MAX_IMAGE_SIZE = 256L << 20;

  /** Boot area: magic, boot_version, reserved dword and 16 HW pointers. */
  static final int BOOT_AREA_SIZE = Fs4Magic.HW_POINTERS_OFFSET + HwPointers.SIZE;

  private ImageParser() {}

  /**
   * Maps and parses an image file.
   *
   * @throws ImageFormatException if the path is not a readable regular file, is larger than {@link
   *     #MAX_IMAGE_SIZE}, or holds no FS4 image
   * @throws IOException if reading fails
   */
  public static Fs4Image parse(Path path) throws IOException {
    try (FileChannel channel = openImageFile(path)) {
      ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
      return new Run(mapped, path.toString(), path).parse();
    }
  }

  /**
   * Opens an image file for reading after the checks every reader makes: a readable regular file
   * (never a FIFO or device, which could block or read forever) of at most {@link
   * #MAX_IMAGE_SIZE} bytes.
   *
   * @throws ImageFormatException when it is not such a file
   */
  public static FileChannel openImageFile(Path path) throws IOException {
    requireRegularFile(path);
    FileChannel channel;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ);
    } catch (AccessDeniedException e) {
      throw new ImageFormatException(path + ": permission denied", e);
    }
    try {
      checkSize(path.toString(), channel.size());
      return channel;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * Reads an image file into a new array with one bounded read, for callers that must judge and
   * use the very same bytes (a mapping shows whatever another process writes into the file
   * later; a second read may see other bytes). A file that is, or grows while it is read, larger
   * than {@link #MAX_IMAGE_SIZE} is refused rather than cut off.
   *
   * @throws ImageFormatException if the path is not a readable regular file or is too large
   * @throws IOException if reading fails
   */
  public static byte[] readFile(Path path) throws IOException {
    byte[] bytes;
    try {
      bytes = BoundedFiles.read(path, MAX_IMAGE_SIZE, "an image file");
    } catch (BoundedFiles.UnreadableFileException e) {
      throw new ImageFormatException(e.getMessage(), e);
    }
    checkSize(path.toString(), bytes.length);
    return bytes;
  }

  private static void requireRegularFile(Path path) throws ImageFormatException {
    try {
      BoundedFiles.requireRegularFile(path, "an image file");
    } catch (BoundedFiles.UnreadableFileException e) {
      throw new ImageFormatException(e.getMessage(), e);
    }
  }

  /** Parses an image held in memory. */
  public static Fs4Image parse(byte[] image, String source) throws ImageFormatException {
    return parse(ByteBuffer.wrap(image), source);
  }

  /**
   * Parses the bytes between 0 and the limit of {@code image} (position ignored). The buffer is
   * not copied; the returned image keeps a read-only view of it, so the caller must not change it.
   */
  public static Fs4Image parse(ByteBuffer image, String source) throws ImageFormatException {
    // Absolute reads below use indexes from 0 to the limit; the caller's position is irrelevant.
    ByteBuffer buffer =
        image.duplicate().position(0).asReadOnlyBuffer().order(ByteOrder.BIG_ENDIAN);
    checkSize(source, buffer.limit());
    return new Run(buffer, source, null).parse();
  }

  private static void checkSize(String source, long size) throws ImageFormatException {
    if (size > MAX_IMAGE_SIZE) {
      throw new ImageFormatException(
          String.format(
              "%s: %d bytes is larger than the %d MiB kiln accepts for an image",
              source, size, MAX_IMAGE_SIZE >> 20));
    }
    if (size < Fs4Magic.LENGTH) {
      throw new ImageFormatException(
          source + ": " + size + " bytes is too small to be an FS4 image");
    }
  }

  /** One parse: the state shared by the steps, discarded afterwards. */
  private static final class Run {
    private final ByteBuffer buffer;
    private final String source;
    private final Path file;
    private final long size;
    private final List<Finding> findings = new ArrayList<>();
    private final List<Structure> structures = new ArrayList<>();
    private ImageFormat format = ImageFormat.FS4;

    Run(ByteBuffer buffer, String source, Path file) {
      this.buffer = buffer.asReadOnlyBuffer().order(ByteOrder.BIG_ENDIAN);
      this.source = source;
      this.file = file;
      this.size = buffer.limit();
    }

    Fs4Image parse() throws ImageFormatException {
      if (size % 4 != 0) {
        add(FindingCode.FILE_SIZE_UNALIGNED, -1, "FILE",
            String.format("file size %d is not a multiple of 4 bytes", size));
      }
      List<Long> magics = new ArrayList<>();
      for (int offset : Fs4Magic.SEARCH_OFFSETS) {
        if (Fs4Magic.isFs4At(buffer, offset)) {
          magics.add((long) offset);
        }
      }
      if (magics.isEmpty()) {
        for (int offset : Fs4Magic.SEARCH_OFFSETS) {
          if (Fs4Magic.isFs3At(buffer, offset)) {
            magics.add((long) offset);
          }
        }
        if (magics.isEmpty()) {
          throw new ImageFormatException(
              source + ": no FS4 image signature at any offset mstflint searches");
        }
        return parseFs3(magics);
      }
      long start = magics.get(0);
      if (!Dwords.fits(start, BOOT_AREA_SIZE, size)) {
        throw new ImageFormatException(
            String.format(
                "%s: FS4 signature at 0x%x but the file ends inside the boot area (%d bytes)",
                source, start, size));
      }
      if (magics.size() > 1) {
        add(FindingCode.MAGIC_DUPLICATE, magics.get(1), "MAGIC",
            "more than one FS4 image signature: at " + hexList(magics));
      }
      if (start != 0) {
        add(FindingCode.IMAGE_START_NOT_ZERO, start, "MAGIC", String.format(
            "the image starts at 0x%x, not 0; mstflint cannot verify such a file", start));
      }
      int bootVersion = Dwords.get(buffer, (int) start + Fs4Magic.BOOT_VERSION_OFFSET);
      if (bootVersion >>> 24 != Fs4Magic.FORMAT_VERSION) {
        add(FindingCode.FORMAT_VERSION, start + Fs4Magic.BOOT_VERSION_OFFSET, "BOOT_VERSION",
            "image format version is " + (bootVersion >>> 24) + ", FS4 requires 1");
      }
      structures.add(new Structure("BOOT_AREA", start, BOOT_AREA_SIZE));
      HwPointers pointers = HwPointers.read(buffer, (int) start + Fs4Magic.HW_POINTERS_OFFSET);
      for (HwPointer pointer : HwPointer.values()) {
        int i = pointer.index();
        if (!pointers.crcOk(i)) {
          add(FindingCode.HW_POINTER_CRC, start + pointer.entryOffset(), "HW_POINTERS",
              String.format("%s (entry %d): wrong CRC (stored 0x%08x, computed 0x%04x)",
                  pointer.fieldName(), i, pointers.storedCrc(i), pointers.computedCrc(i)));
        }
      }
      long bootRecord = start + Integer.toUnsignedLong(pointers.value(HwPointer.BOOT_RECORD));
      if (pointers.value(HwPointer.BOOT_RECORD) != 0 && bootRecord < size) {
        structures.add(new Structure("BOOT_RECORD", bootRecord, 0));
      }

      ToolsArea tools = readTools(start, pointers);
      int log2 = tools != null ? tools.log2ImgSlotSize() : ToolsArea.DEFAULT_LOG2_SLOT_SIZE;
      if (start == 0x800000 && log2 == 0x16) {
        log2 = 0x17; // mstflint treats this combination as the larger slot (fs4-format.md §5)
      }
      Boot2 boot2 = readBoot2(start, pointers);
      HashesTable hashes = readHashesTable(start, pointers);
      Toc itoc = readItoc(start, pointers, log2);
      Toc dtoc = readDtoc();
      return new Fs4Image(ImageFormat.FS4, source, file, buffer, start, magics, bootVersion,
          pointers, log2, tools, boot2, hashes, itoc, dtoc, structures, findings);
    }

    /**
     * The FS3 path (fs4-format.md §18; mstflint 4.21 fs3_ops.cpp, Fs3Operations::FsVerifyAux):
     * format dword, BOOT2 at +0x38, then the first header with the ITOC signature at a 4 KiB
     * boundary from the end of BOOT2 on. There are no HW pointers, no tools area and no DTOC.
     * mstflint uses the first FS3 magic and does not object to more.
     */
    private Fs4Image parseFs3(List<Long> magics) throws ImageFormatException {
      format = ImageFormat.FS3;
      long start = magics.get(0);
      if (!Dwords.fits(start, Fs3BootArea.SIZE, size)) {
        throw new ImageFormatException(
            String.format(
                "%s: FS3 signature at 0x%x but the file ends inside the boot area (%d bytes)",
                source, start, size));
      }
      if (start != 0) {
        add(FindingCode.IMAGE_START_NOT_ZERO, start, "MAGIC", String.format(
            "the image starts at 0x%x, not 0; mstflint cannot verify such a file", start));
      }
      long formatAt = start + Fs3BootArea.FORMAT_DWORD_OFFSET;
      int format = Dwords.get(buffer, (int) formatAt);
      if (Fs3BootArea.imageFormat(format) != Fs3BootArea.IMAGE_FORMAT) {
        add(FindingCode.FORMAT_VERSION, formatAt, "FORMAT_DWORD",
            "image format is " + Fs3BootArea.imageFormat(format)
                + ", FS3 requires 3 (mstflint reads the image as FS2 and fails)");
      }
      if (!Fs3BootArea.binVersionSupported(format)) {
        add(FindingCode.BIN_VERSION, formatAt, "FORMAT_DWORD",
            String.format("unsupported binary version %d.%d (FS3 needs 1.1 to 1.x, or 0.0)",
                Fs3BootArea.binMajor(format), Fs3BootArea.binMinor(format)));
      }
      int log2 = Fs3BootArea.log2ChunkSize(format);
      if (start == 0x800000 && log2 == 0x16) {
        log2 = 0x17; // as for FS4 (Fs3Operations::FsVerifyAux)
      }
      structures.add(new Structure("BOOT_AREA", start, Fs3BootArea.SIZE));
      Boot2 boot2 = readBoot2At(start + Fs3BootArea.SIZE);
      long boot2End = Fs3BootArea.SIZE + (boot2 != null ? boot2.size() : 0);
      // Without a readable BOOT2 mstflint stops; Kiln still looks from 0x1000 on so that inspect
      // can show the rest (the BOOT2 finding fails the image anyway).
      Toc itoc = searchFs3Itoc(start, Fs3BootArea.firstItocCandidate(boot2End), log2);
      return new Fs4Image(ImageFormat.FS3, source, file, buffer, start, magics, format,
          HwPointers.of(new int[HwPointers.COUNT]), log2, null, boot2, null, itoc, null,
          structures, findings);
    }

    /** The first header with the ITOC signature at {@code first} or a 4 KiB step after it. */
    private Toc searchFs3Itoc(long start, long first, int log2) {
      for (long at = start + first; Dwords.fits(at, TocHeader.SIZE, size);
          at += Fs3BootArea.ITOC_SEARCH_STEP) {
        if (Dwords.get(buffer, (int) at) != TocHeader.Kind.ITOC.signature0()) {
          continue;
        }
        TocHeader header = TocHeader.read(buffer, (int) at);
        if (!header.signatureOk(TocHeader.Kind.ITOC)) {
          continue;
        }
        if (!header.crcOk()) {
          add(FindingCode.ITOC_HEADER_CRC, at, "ITOC_HEADER",
              String.format("wrong CRC (stored 0x%04x, computed 0x%04x)", header.storedCrc(),
                  header.computedCrc()));
        }
        return readEntries(TocHeader.Kind.ITOC, at, header, false, start, log2);
      }
      add(FindingCode.ITOC_NOT_FOUND, start + first, "ITOC_HEADER",
          String.format("no ITOC signature at any 4 KiB boundary from 0x%x on", start + first));
      return null;
    }

    private ToolsArea readTools(long start, HwPointers pointers) {
      long at = start + Integer.toUnsignedLong(pointers.value(HwPointer.TOOLS));
      if (!Dwords.fits(at, ToolsArea.SIZE, size)) {
        add(FindingCode.TOOLS_AREA_OUT_OF_BOUNDS, at, "TOOLS_AREA",
            String.format("tools_ptr 0x%x: the 0x40-byte tools area is not inside the file", at));
        return null;
      }
      ToolsArea tools = ToolsArea.read(buffer, (int) at);
      structures.add(new Structure("TOOLS_AREA", at, ToolsArea.SIZE));
      if (!tools.crcOk()) {
        add(FindingCode.TOOLS_AREA_CRC, at, "TOOLS_AREA",
            String.format("wrong CRC (stored 0x%04x, computed 0x%04x)",
                tools.storedCrc(), tools.computedCrc()));
      }
      if (!tools.binVersionSupported()) {
        add(FindingCode.TOOLS_AREA_VERSION, at, "TOOLS_AREA",
            String.format("unsupported binary version %d.%d (FS4 needs 1.x or 0.0)",
                tools.binVerMajor(), tools.binVerMinor()));
      }
      return tools;
    }

    private Boot2 readBoot2(long start, HwPointers pointers) {
      return readBoot2At(start + Integer.toUnsignedLong(pointers.value(HwPointer.BOOT2)));
    }

    private Boot2 readBoot2At(long at) {
      if (!Dwords.fits(at, 8, size)) {
        add(FindingCode.BOOT2_OUT_OF_BOUNDS, at, "BOOT2",
            String.format("boot2_ptr 0x%x is outside the %d-byte file", at, size));
        return null;
      }
      long count = Boot2.readDwordCount(buffer, (int) at);
      if (!Boot2.dwordCountValid(count)) {
        add(FindingCode.BOOT2_SIZE, at, "BOOT2",
            String.format("unexpected size 0x%x dwords (allowed 4..0x100000)", count));
        return null;
      }
      if (!Dwords.fits(at, Boot2.sizeFor(count), size)) {
        add(FindingCode.BOOT2_OUT_OF_BOUNDS, at, "BOOT2",
            String.format("BOOT2 of 0x%x bytes at 0x%x runs past the end of the file",
                Boot2.sizeFor(count), at));
        return null;
      }
      Boot2 boot2 = Boot2.read(buffer, (int) at);
      structures.add(new Structure("BOOT2", at, boot2.size()));
      if (!boot2.crcOk()) {
        add(FindingCode.BOOT2_CRC, at, "BOOT2",
            String.format("wrong CRC (stored 0x%08x, computed 0x%04x)",
                boot2.storedCrc(), boot2.computedCrc()));
      }
      return boot2;
    }

    private HashesTable readHashesTable(long start, HwPointers pointers) {
      int raw = pointers.value(HwPointer.HASHES_TABLE);
      if (raw == 0 || raw == -1) {
        return null;
      }
      long at = start + Integer.toUnsignedLong(raw);
      if (!Dwords.fits(at, HashesTable.HEADER_SIZE, size)
          || !Dwords.fits(at, HashesTable.lengthFor(HashesTable.readHashSize(buffer, (int) at)),
              size)) {
        add(FindingCode.HASHES_TABLE_OUT_OF_BOUNDS, at, "HASHES_TABLE",
            String.format("hashes_table_pointer 0x%x: the table is not inside the file", at));
        return null;
      }
      HashesTable table = HashesTable.read(buffer, (int) at);
      structures.add(new Structure("HASHES_TABLE", at, table.length()));
      if (!table.headerCrcOk()) {
        add(FindingCode.HASHES_TABLE_HEADER_CRC, at, "HASHES_TABLE",
            String.format("header: wrong CRC (stored 0x%04x, computed 0x%04x)",
                table.storedHeaderCrc(), table.computedHeaderCrc()));
      }
      if (!table.tableCrcOk()) {
        add(FindingCode.HASHES_TABLE_CRC, at + table.length() - 4, "HASHES_TABLE",
            String.format("wrong CRC (stored 0x%04x, computed 0x%04x)",
                table.storedTableCrc(), table.computedTableCrc()));
      }
      return table;
    }

    private TocHeader headerAt(long at) {
      return Dwords.fits(at, TocHeader.SIZE, size) ? TocHeader.read(buffer, (int) at) : null;
    }

    private Toc readItoc(long start, HwPointers pointers, int log2) {
      long first = start + Integer.toUnsignedLong(pointers.value(HwPointer.TOC));
      long second = first + TocHeader.FAILSAFE_DISTANCE;
      TocHeader primary = headerAt(first);
      TocHeader failsafe = headerAt(second);
      boolean primarySigned = primary != null && primary.signatureOk(TocHeader.Kind.ITOC);
      boolean failsafeSigned = failsafe != null && failsafe.signatureOk(TocHeader.Kind.ITOC);
      if (!primarySigned && !failsafeSigned) {
        add(FindingCode.ITOC_NOT_FOUND, first, "ITOC_HEADER",
            String.format("no ITOC signature at toc_ptr 0x%x or at 0x%x (mstflint would treat "
                + "the image as encrypted)", first, second));
        return null;
      }
      boolean failsafeValid = failsafeSigned && failsafe.crcOk();
      if (primarySigned && primary.crcOk()) {
        return readEntries(TocHeader.Kind.ITOC, first, primary, false, start, log2);
      }
      if (primarySigned) {
        Severity severity = failsafeValid ? Severity.WARNING : Severity.ERROR;
        findings.add(new Finding(FindingCode.ITOC_HEADER_CRC, severity, first, "ITOC_HEADER",
            String.format("wrong CRC (stored 0x%04x, computed 0x%04x)%s", primary.storedCrc(),
                primary.computedCrc(),
                failsafeValid ? String.format("; the copy at 0x%x is used", second) : "")));
      }
      if (failsafeValid) {
        if (!primarySigned) {
          findings.add(new Finding(FindingCode.ITOC_HEADER_CRC, Severity.INFO, second,
              "ITOC_HEADER", String.format("ITOC read from the fail-safe copy at 0x%x", second)));
        }
        return readEntries(TocHeader.Kind.ITOC, second, failsafe, true, start, log2);
      }
      if (failsafeSigned) {
        add(FindingCode.ITOC_HEADER_CRC, second, "ITOC_HEADER",
            String.format("fail-safe copy: wrong CRC (stored 0x%04x, computed 0x%04x)",
                failsafe.storedCrc(), failsafe.computedCrc()));
      }
      // No valid copy: still list the entries of a signed one so that inspect can show them.
      return primarySigned
          ? readEntries(TocHeader.Kind.ITOC, first, primary, false, start, log2)
          : readEntries(TocHeader.Kind.ITOC, second, failsafe, true, start, log2);
    }

    private Toc readDtoc() {
      long at = size - TocHeader.DTOC_DISTANCE_FROM_END;
      TocHeader header = headerAt(at);
      if (header == null || !header.signatureOk(TocHeader.Kind.DTOC)) {
        add(FindingCode.DTOC_HEADER, Math.max(at, -1), "DTOC_HEADER",
            String.format("no DTOC header at file size - 0x1000 (0x%x)", Math.max(at, 0)));
        return null;
      }
      if (!header.crcOk()) {
        add(FindingCode.DTOC_HEADER, at, "DTOC_HEADER",
            String.format("wrong CRC (stored 0x%04x, computed 0x%04x)",
                header.storedCrc(), header.computedCrc()));
      }
      return readEntries(TocHeader.Kind.DTOC, at, header, false, 0, 0);
    }

    /** Reads at most 63 entries after a header; never follows anything else. */
    private Toc readEntries(
        TocHeader.Kind kind, long headerAt, TocHeader header, boolean failsafe, long start,
        int log2) {
      String entryName = kind == TocHeader.Kind.ITOC ? "ITOC_ENTRY" : "DTOC_ENTRY";
      List<Section> sections = new ArrayList<>();
      boolean terminated = false;
      long at = headerAt + TocHeader.SIZE;
      for (int index = 0; ; index++, at += TocEntry.SIZE) {
        if (!Dwords.fits(at, TocEntry.SIZE, size)) {
          add(FindingCode.TOC_TRUNCATED, at, entryName,
              String.format("%s entry %d at 0x%x runs past the end of the file (no END entry)",
                  kind, index, at));
          break;
        }
        TocEntry entry = TocEntry.read(buffer, (int) at);
        if (entry.isEnd()) {
          terminated = true;
          break;
        }
        if (index >= TocEntry.MAX_ENTRIES) {
          add(FindingCode.TOC_TOO_MANY_ENTRIES, at, entryName,
              String.format("more than %d %s entries before END", TocEntry.MAX_ENTRIES, kind));
          break;
        }
        if (!entry.entryCrcOk()) {
          add(FindingCode.TOC_ENTRY_CRC, at, entryName,
              String.format("entry %d (%s): wrong entry CRC (stored 0x%04x, computed 0x%04x)",
                  index, entry.typeName(), entry.storedEntryCrc(), entry.computedEntryCrc()));
        }
        long address = entry.flashAddrBytes();
        long offset;
        boolean withinSlot;
        if (format == ImageFormat.FS3 && !entry.fs3RelativeAddr()) {
          offset = address; // an absolute flash address (Fs3Operations::VerifyTOC)
          withinSlot = true;
        } else if (kind == TocHeader.Kind.ITOC) {
          offset = AddressTranslation.toPhysical(address, log2, start != 0);
          withinSlot = AddressTranslation.withinSlot(address, entry.sizeBytes(), log2);
        } else {
          offset = address;
          withinSlot = true;
        }
        boolean inBounds = Dwords.fits(offset, entry.sizeBytes(), size);
        sections.add(new Section(kind, index, at, entry, address, offset, inBounds, withinSlot));
      }
      Toc toc = new Toc(kind, headerAt, header, failsafe, sections, terminated);
      structures.add(new Structure(toc.headerName(), headerAt, toc.tableSize()));
      return toc;
    }

    private void add(FindingCode code, long offset, String structure, String message) {
      findings.add(Finding.of(code, offset, structure, message));
    }

    private static String hexList(List<Long> offsets) {
      return String.join(", ", offsets.stream().map(o -> String.format("0x%x", o)).toList());
    }
  }
}
