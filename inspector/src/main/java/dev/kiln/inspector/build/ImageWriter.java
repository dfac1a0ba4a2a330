package dev.kiln.inspector.build;

import dev.kiln.inspector.build.ImageLayout.Placement;
import dev.kiln.inspector.format.Boot2;
import dev.kiln.inspector.ImageFormat;
import dev.kiln.inspector.format.Crc16;
import dev.kiln.inspector.format.Dwords;
import dev.kiln.inspector.format.Fs3BootArea;
import dev.kiln.inspector.format.Fs4Magic;
import dev.kiln.inspector.format.HashesTable;
import dev.kiln.inspector.format.HwPointer;
import dev.kiln.inspector.format.HwPointers;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.format.TocEntry;
import dev.kiln.inspector.format.TocHeader;
import dev.kiln.inspector.format.ToolsArea;
import dev.kiln.inspector.io.AtomicFiles;
import dev.kiln.inspector.section.DevInfo;
import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.ImageInfo;
import dev.kiln.inspector.section.ImageSignature;
import dev.kiln.inspector.section.MfgInfo;
import dev.kiln.inspector.section.PublicKeys;
import dev.kiln.inspector.section.Rsa4096Signatures;
import dev.kiln.inspector.section.RsaPublicKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds an FS4 image file from an {@link ImageDescription}, with every CRC, pointer and (for
 * secure-boot v2 images) hash computed, in the layout of fs4-format.md §14:
 *
 * <table>
 *   <caption>Layout (S = image size)</caption>
 *   <tr><th>offset</th><th>content</th></tr>
 *   <tr><td>0x0000</td><td>magic, boot_version (format 1), 16 HW pointers</td></tr>
 *   <tr><td>0x0400</td><td>boot record: 0x100 zero bytes (0x400 on ConnectX-7/8, whose v2
 *       signing reads 0x3F4 bytes)</td></tr>
 *   <tr><td>after it</td><td>tools area (bin_ver 1.0, log2 slot size)</td></tr>
 *   <tr><td>0x1000</td><td>BOOT2</td></tr>
 *   <tr><td>next 0x100</td><td>hashes table (v2 images only)</td></tr>
 *   <tr><td>next 4 KiB</td><td>ITOC; the fail-safe slot 4 KiB above it stays 0xFF</td></tr>
 *   <tr><td>ITOC + 0x2000</td><td>ITOC sections, 0x80-aligned: IMAGE_INFO, the described
 *       sections, then the reserved security sections</td></tr>
 *   <tr><td>S − 0x4000</td><td>second DEV_INFO copy (invalid, all 0xFF)</td></tr>
 *   <tr><td>S − 0x3000</td><td>DEV_INFO (valid)</td></tr>
 *   <tr><td>S − 0x2000</td><td>MFG_INFO</td></tr>
 *   <tr><td>S − 0x1000</td><td>DTOC header, 3 entries, END</td></tr>
 *   <tr><td>elsewhere</td><td>0xFF</td></tr>
 * </table>
 *
 * <p>With {@link ImageDescription#format()} FS3 (ConnectX-4 / 4 Lx only) the layout is that of
 * docs/image-description.md "FS3 layout" instead (fs4-format.md §18): magic and format dword, BOOT2
 * at 0x38, one ITOC at the next 4 KiB boundary, sections from ITOC + 0x1000, and DEV_INFO and
 * MFG_INFO at S − 0x3000 and S − 0x2000 listed in the same ITOC with relative_addr 0 and
 * device_data 1 ({@code writeFs3}).
 *
 * <p>HW pointers: boot record, BOOT2, ITOC, tools area; the authenticated range is BOOT2;
 * digest and digest-recovery pointers name HMAC_DIGEST and the public-key pointer RSA_PUBLIC_KEY
 * when reserved; image_info_section_pointer names IMAGE_INFO; entry 13 holds the security version;
 * entry 15 the hashes table (0 without one).
 *
 * <p>The file is streamed: the 0xFF background is written in 1 MiB chunks and section bodies are
 * copied or generated in chunks while their CRC and hash are computed, so a 64 MiB image costs a
 * few MiB of heap. Output goes to a temporary file in the target's directory that replaces (or,
 * without overwrite, is linked to) the target only when complete; on any error no file is left.
 */
public final class ImageWriter {
  /** Largest image the writer builds (the parser's limit). */
  public static final long MAX_IMAGE_SIZE = 256L << 20;

  private static final int BOOT_RECORD_OFFSET = 0x400;
  private static final int BOOT2_OFFSET = 0x1000;
  private static final int SECTION_ALIGNMENT = 0x80;
  private static final int DEVICE_DATA_SIZE = 0x4000;
  private static final int CHUNK = 1 << 20;

  /** Section types the writer produces itself and a description may not list. */
  private static final Set<Integer> GENERATED_TYPES =
      Set.of(0x10, 0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xE0, 0xE1, 0xFA, 0xFB, 0xFC,
          0xFD, 0xFE, 0xFF);

  /** Types whose bodies are never hashed into the hashes table (fs4-format.md §8, §16.0). */
  private static final Set<Integer> UNHASHED_TYPES = Set.of(0xA0, 0xA1, 0xA3, 0xA4, 0xA7);

  private ImageWriter() {}

  /**
   * Checks {@code description} and computes where everything goes, without writing.
   *
   * @throws InvalidDescriptionException with a one-line reason when the image cannot be built
   * @throws IOException if a payload file cannot be read
   */
  public static ImageLayout plan(ImageDescription description)
      throws InvalidDescriptionException, IOException {
    return Plan.of(description).layout;
  }

  /**
   * Builds the image at {@code out}.
   *
   * @param overwrite replace an existing file; without it an existing {@code out} is an error
   * @throws InvalidDescriptionException with a one-line reason when the image cannot be built
   * @throws FileAlreadyExistsException if {@code out} exists and {@code overwrite} is false
   * @throws IOException if writing fails (no partial file is left)
   */
  public static ImageLayout write(ImageDescription description, Path out, boolean overwrite)
      throws InvalidDescriptionException, IOException {
    Plan plan = Plan.of(description);
    Path target = out.toAbsolutePath();
    if (!overwrite && Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(out + ": already exists (use --force to replace it)");
    }
    Path directory = target.getParent();
    if (directory == null || !Files.isDirectory(directory)) {
      throw new NoSuchFileException(out.toString(), null, "the directory does not exist");
    }
    Path temporary = AtomicFiles.createTemporary(target, false);
    try {
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        plan.writeTo(channel);
        channel.force(true);
      }
      publish(temporary, target, overwrite);
    } finally {
      Files.deleteIfExists(temporary);
    }
    return plan.layout;
  }

  private static void publish(Path temporary, Path target, boolean overwrite) throws IOException {
    if (overwrite) {
      AtomicFiles.replace(temporary, target);
    } else {
      AtomicFiles.publishNew(temporary, target);
    }
  }

  /** One ITOC or DTOC section to write. */
  private record Planned(
      String name, int type, TocHeader.Kind table, SectionContent content, long offset, long size,
      int crcMode) {
    Placement placement() {
      return new Placement(name, type, table, offset, size, crcMode);
    }
  }

  /** A checked description with every offset decided and the small bodies encoded. */
  private static final class Plan {
    private final ImageDescription description;
    private final ImageLayout layout;
    private final List<Planned> itoc;
    private final List<Planned> dtoc;
    private final byte[] toolsArea;
    private final int bootRecordSize;
    private final int[] hwPointers = new int[HwPointers.COUNT];

    private Plan(
        ImageDescription description, ImageLayout layout, List<Planned> itoc, List<Planned> dtoc,
        byte[] toolsArea, int bootRecordSize) {
      this.description = description;
      this.layout = layout;
      this.itoc = itoc;
      this.dtoc = dtoc;
      this.toolsArea = toolsArea;
      this.bootRecordSize = bootRecordSize;
    }

    static Plan of(ImageDescription d) throws InvalidDescriptionException, IOException {
      long size = d.imageSize();
      if (size < ImageDescription.MIN_IMAGE_SIZE) {
        throw invalid("image size %d is below the minimum of 48 KiB (49152)", size);
      }
      if (size % 4096 != 0) {
        throw invalid("image size %d is not a multiple of 4 KiB", size);
      }
      if (size > MAX_IMAGE_SIZE) {
        throw invalid("image size %d is above the maximum of 256 MiB", size);
      }
      if (!Boot2.dwordCountValid(d.boot2Dwords())) {
        throw invalid("BOOT2 size of %d dwords is outside 4..1048576", d.boot2Dwords());
      }
      boolean fs3 = d.format() == ImageFormat.FS3;
      if (fs3) {
        checkFs3(d);
      }
      if (d.hashesTable() && !d.device().supportsHashesTable()) {
        throw invalid("a hashes table (secure boot v2) needs cx7 or cx8: mstflint cannot sign "
            + "such an image for %s", d.device().cliName());
      }
      if (d.securityVersion() < 0 || d.securityVersion() > 0xFFFFFFFFL) {
        throw invalid("security version %d is outside 0..4294967295", d.securityVersion());
      }
      int log2 = d.log2SlotSize() != 0 ? d.log2SlotSize() : defaultLog2(size);
      if (log2 < 16 || log2 > 30) {
        throw invalid("log2 slot size %d is outside 16..30", log2);
      }

      byte[] imageInfo;
      try {
        imageInfo = imageInfo(d).encode();
      } catch (IllegalArgumentException e) {
        throw new InvalidDescriptionException(e.getMessage());
      }

      int bootRecordSize = fs3 ? 0 : d.device().supportsHashesTable() ? 0x400 : 0x100;
      long bootRecordOffset = fs3 ? 0 : BOOT_RECORD_OFFSET;
      long toolsOffset = fs3 ? 0 : BOOT_RECORD_OFFSET + bootRecordSize;
      long boot2Offset = fs3 ? Fs3BootArea.SIZE : BOOT2_OFFSET;
      long boot2Size = Boot2.sizeFor(d.boot2Dwords());
      long cursor = boot2Offset + boot2Size;
      long hashesOffset = 0;
      if (d.hashesTable()) {
        hashesOffset = align(cursor, 0x100);
        cursor = hashesOffset + HashesTable.lengthFor(HashesTable.SHA512_SIZE);
      }
      long itocOffset = align(cursor, 0x1000);
      long deviceData = size - DEVICE_DATA_SIZE;

      List<Planned> itoc = new ArrayList<>();
      List<SectionRequest> requests = new ArrayList<>();
      requests.add(new SectionRequest(0x10, new SectionContent.FromBytes(imageInfo), 0));
      for (SectionSpec spec : d.sections()) {
        if (spec.type() < 0 || spec.type() > 0xFF) {
          throw invalid("section type %d is not a byte", spec.type());
        }
        if (GENERATED_TYPES.contains(spec.type())) {
          throw invalid("section type %s is written by the image writer itself; "
              + "reserve it or set its fields instead of listing it", spec.typeName());
        }
        requests.add(new SectionRequest(spec.type(), spec.content(), 0));
      }
      for (ReservedSection reserved : d.reserved()) {
        requests.add(new SectionRequest(reserved.sectionType().code(),
            new SectionContent.FromBytes(reservedBody(d, reserved)),
            reserved == ReservedSection.HMAC_DIGEST ? TocEntry.CRC_NONE : TocEntry.CRC_IN_ENTRY));
      }
      // FS3 lists MFG_INFO and DEV_INFO in the ITOC too.
      int deviceEntries = fs3 ? 2 : 0;
      if (requests.size() + deviceEntries > TocEntry.MAX_ENTRIES) {
        throw invalid("%d ITOC sections requested; an ITOC holds at most 63",
            requests.size() + deviceEntries);
      }
      // FS4 keeps the fail-safe ITOC slot at +0x1000 free; FS3 has none (§18).
      long at = itocOffset + (fs3 ? 1L : 2L) * TocHeader.FAILSAFE_DISTANCE;
      long slotEnd = 1L << log2;
      for (SectionRequest request : requests) {
        long bodySize = contentSize(request.type, request.content);
        at = align(at, SECTION_ALIGNMENT);
        String name = SectionType.nameOf(request.type);
        if (at + bodySize > deviceData) {
          throw invalid("section %s (0x%x bytes) does not fit: the sections need room up to 0x%x "
              + "but the image has room up to 0x%x; use a larger image size",
              name, bodySize, at + bodySize, deviceData);
        }
        if (at + bodySize > slotEnd) {
          throw invalid("section %s ends at 0x%x, beyond the 2^%d-byte image slot",
              name, at + bodySize, log2);
        }
        itoc.add(new Planned(name, request.type, TocHeader.Kind.ITOC, request.content, at,
            bodySize, request.crcMode));
        at += bodySize;
      }
      if (d.hashesTable()) {
        long hashed = itoc.stream().map(Planned::type).filter(t -> !UNHASHED_TYPES.contains(t))
            .distinct().count();
        if (hashed + 1 > HashesTable.SLOTS) {
          throw invalid("%d section types to hash plus the ITOC exceed the 28 hash slots", hashed);
        }
      }

      List<Planned> dtoc = new ArrayList<>();
      DevInfo devInfo = DevInfo.of(d.guids(), d.macs(), d.deviceVsd());
      byte[] devInfoBody;
      byte[] mfgBody;
      try {
        devInfoBody = devInfo.encode();
        mfgBody = MfgInfo.of(d.psid(), d.guids(), d.macs()).encode();
      } catch (IllegalArgumentException e) {
        throw new InvalidDescriptionException(e.getMessage());
      }
      if (fs3) {
        // Device data in the ITOC at absolute offsets, CRC in the entry (no spare DEV_INFO:
        // FS3 has no "one valid DEV_INFO" rule).
        dtoc.add(new Planned("DEV_INFO", 0xE1, TocHeader.Kind.ITOC,
            new SectionContent.FromBytes(devInfoBody), size - 0x3000, DevInfo.SIZE,
            TocEntry.CRC_IN_ENTRY));
        dtoc.add(new Planned("MFG_INFO", 0xE0, TocHeader.Kind.ITOC,
            new SectionContent.FromBytes(mfgBody), size - 0x2000, MfgInfo.SIZE,
            TocEntry.CRC_IN_ENTRY));
      } else {
        byte[] spare = new byte[DevInfo.SIZE];
        Arrays.fill(spare, (byte) 0xFF);
        dtoc.add(new Planned("DEV_INFO", 0xE1, TocHeader.Kind.DTOC,
            new SectionContent.FromBytes(devInfoBody), size - 0x3000, DevInfo.SIZE,
            TocEntry.CRC_IN_SECTION));
        dtoc.add(new Planned("DEV_INFO", 0xE1, TocHeader.Kind.DTOC,
            new SectionContent.FromBytes(spare), size - 0x4000, DevInfo.SIZE,
            TocEntry.CRC_IN_SECTION));
        dtoc.add(new Planned("MFG_INFO", 0xE0, TocHeader.Kind.DTOC,
            new SectionContent.FromBytes(mfgBody), size - 0x2000, MfgInfo.SIZE,
            TocEntry.CRC_IN_ENTRY));
      }

      List<Placement> placements = new ArrayList<>();
      itoc.forEach(p -> placements.add(p.placement()));
      dtoc.forEach(p -> placements.add(p.placement()));
      ImageLayout layout = new ImageLayout(size, log2, bootRecordOffset, bootRecordSize,
          toolsOffset, boot2Offset, boot2Size, hashesOffset, itocOffset,
          fs3 ? 0 : size - TocHeader.DTOC_DISTANCE_FROM_END, placements);
      Plan plan = new Plan(d, layout, itoc, dtoc, ToolsArea.of(1, 0, log2).toBytes(),
          bootRecordSize);
      if (!fs3) {
        plan.fillHwPointers();
      }
      return plan;
    }

    /** What an FS3 image cannot hold (fs4-format.md §18; mstflint's fs3_ops.cpp has no code). */
    private static void checkFs3(ImageDescription d) throws InvalidDescriptionException {
      if (!d.device().supportsFs3()) {
        throw invalid("format fs3 is the ConnectX-4 / ConnectX-4 Lx format (cx4, cx4lx), not %s",
            d.device().cliName());
      }
      if (d.hashesTable()) {
        throw invalid("an FS3 image has no hashes table");
      }
      if (d.securityVersion() != 0) {
        throw invalid("an FS3 image has no security version (no HW pointers); leave it 0");
      }
      for (ReservedSection reserved : d.reserved()) {
        if (!reserved.inFs3()) {
          throw invalid("%s is an FS4 section (rsa_sign, sign_with_hmac); an FS3 image cannot "
              + "reserve it", reserved.sectionType().name());
        }
      }
    }

    private void fillHwPointers() {
      hwPointers[HwPointer.BOOT_RECORD.index()] = (int) layout.bootRecordOffset();
      hwPointers[HwPointer.BOOT2.index()] = (int) layout.boot2Offset();
      hwPointers[HwPointer.TOC.index()] = (int) layout.itocOffset();
      hwPointers[HwPointer.TOOLS.index()] = (int) layout.toolsOffset();
      hwPointers[HwPointer.AUTHENTICATION_START.index()] = (int) layout.boot2Offset();
      hwPointers[HwPointer.AUTHENTICATION_END.index()] =
          (int) (layout.boot2Offset() + layout.boot2Size() - 1);
      layout.section(TocHeader.Kind.ITOC, SectionType.HMAC_DIGEST.code()).ifPresent(p -> {
        hwPointers[HwPointer.DIGEST.index()] = (int) p.offset();
        hwPointers[HwPointer.DIGEST_RECOVERY_KEY.index()] = (int) p.offset();
      });
      layout.section(TocHeader.Kind.ITOC, SectionType.IMAGE_INFO.code()).ifPresent(p ->
          hwPointers[HwPointer.IMAGE_INFO_SECTION.index()] = (int) p.offset());
      layout.section(TocHeader.Kind.ITOC, SectionType.RSA_PUBLIC_KEY.code()).ifPresent(p ->
          hwPointers[HwPointer.PUBLIC_KEY.index()] = (int) p.offset());
      hwPointers[HwPointer.FW_SECURITY_VERSION.index()] = (int) description.securityVersion();
      hwPointers[HwPointer.HASHES_TABLE.index()] = (int) layout.hashesTableOffset();
    }

    void writeTo(FileChannel channel) throws IOException {
      if (description.format() == ImageFormat.FS3) {
        writeFs3(channel);
        return;
      }
      fillBackground(channel, layout.imageSize());
      ByteBuffer boot = ByteBuffer.allocate(Fs4Magic.HW_POINTERS_OFFSET + HwPointers.SIZE);
      boot.put(Fs4Magic.fs4Bytes());
      boot.putInt(Fs4Magic.bootVersionDword(Fs4Magic.FORMAT_VERSION));
      boot.putInt(0);
      boot.put(HwPointers.of(hwPointers).toBytes());
      writeAt(channel, layout.imageSize(), 0, boot.array());
      writeAt(channel, layout.imageSize(), layout.bootRecordOffset(), new byte[bootRecordSize]);
      writeAt(channel, layout.imageSize(), layout.toolsOffset(), toolsArea);
      writeAt(channel, layout.imageSize(), layout.boot2Offset(),
          Boot2.encode(0, new byte[description.boot2Dwords() * 4], 0));

      MessageDigest sha512 = description.hashesTable() ? sha512() : null;
      Map<Integer, byte[]> hashes = new LinkedHashMap<>();
      byte[] itocBytes = new byte[TocHeader.SIZE * (itoc.size() + 2)];
      System.arraycopy(TocHeader.of(TocHeader.Kind.ITOC, 1, 0, itoc.size()).toBytes(), 0,
          itocBytes, 0, TocHeader.SIZE);
      for (int i = 0; i < itoc.size(); i++) {
        Planned section = itoc.get(i);
        boolean hashed = sha512 != null && !UNHASHED_TYPES.contains(section.type)
            && !hashes.containsKey(section.type);
        int crc = writeBody(channel, section, hashed ? sha512 : null);
        if (hashed) {
          hashes.put(section.type, sha512.digest());
        }
        TocEntry entry = TocEntry.of(section.type, section.offset, section.size, section.crcMode,
            section.crcMode == TocEntry.CRC_IN_ENTRY ? crc : 0);
        System.arraycopy(entry.toBytes(), 0, itocBytes, TocHeader.SIZE * (i + 1), TocEntry.SIZE);
      }
      System.arraycopy(TocEntry.end().toBytes(), 0, itocBytes,
          TocHeader.SIZE * (itoc.size() + 1), TocEntry.SIZE);
      writeAt(channel, layout.imageSize(), layout.itocOffset(), itocBytes);

      if (sha512 != null) {
        // The ITOC's own hash covers its header and entries, not the END entry (§8).
        sha512.update(itocBytes, 0, itocBytes.length - TocEntry.SIZE);
        List<Integer> types = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        types.add(HashesTable.ITOC_HASH_TYPE);
        values.add(sha512.digest());
        hashes.forEach((type, hash) -> {
          types.add(type);
          values.add(hash);
        });
        writeAt(channel, layout.imageSize(), layout.hashesTableOffset(),
            HashesTable.encode(types, values));
      }

      byte[] dtocBytes = new byte[TocHeader.SIZE * (dtoc.size() + 2)];
      System.arraycopy(TocHeader.of(TocHeader.Kind.DTOC, 1, 0, dtoc.size()).toBytes(), 0,
          dtocBytes, 0, TocHeader.SIZE);
      for (int i = 0; i < dtoc.size(); i++) {
        Planned section = dtoc.get(i);
        int crc = writeBody(channel, section, null);
        TocEntry entry = TocEntry.of(section.type, section.offset, section.size, section.crcMode,
            section.crcMode == TocEntry.CRC_IN_ENTRY ? crc : 0);
        System.arraycopy(entry.toBytes(), 0, dtocBytes, TocHeader.SIZE * (i + 1), TocEntry.SIZE);
      }
      System.arraycopy(TocEntry.end().toBytes(), 0, dtocBytes,
          TocHeader.SIZE * (dtoc.size() + 1), TocEntry.SIZE);
      writeAt(channel, layout.imageSize(), layout.dtocOffset(), dtocBytes);
    }

    /**
     * FS3 (fs4-format.md §18): magic and format dword, BOOT2 at 0x38, one ITOC listing the image's
     * sections (relative_addr 1) and then MFG_INFO and DEV_INFO (relative_addr 0, device_data 1).
     */
    private void writeFs3(FileChannel channel) throws IOException {
      long size = layout.imageSize();
      fillBackground(channel, size);
      byte[] boot = new byte[Fs3BootArea.SIZE];
      System.arraycopy(Fs4Magic.fs3Bytes(), 0, boot, 0, Fs4Magic.LENGTH);
      Dwords.put(boot, Fs3BootArea.FORMAT_DWORD_OFFSET, Fs3BootArea.formatDword(
          layout.log2SlotSize(), Fs3BootArea.MIN_BIN_MAJOR, Fs3BootArea.MIN_BIN_MINOR));
      writeAt(channel, size, 0, boot);
      writeAt(channel, size, layout.boot2Offset(),
          Boot2.encode(0, new byte[description.boot2Dwords() * 4], 0));
      int entries = itoc.size() + dtoc.size();
      byte[] itocBytes = new byte[TocHeader.SIZE * (entries + 2)];
      System.arraycopy(TocHeader.of(TocHeader.Kind.ITOC, 1, 0, entries).toBytes(), 0,
          itocBytes, 0, TocHeader.SIZE);
      int index = 1;
      for (Planned section : itoc) {
        int crc = writeBody(channel, section, null);
        System.arraycopy(TocEntry.fs3(section.type, section.offset, section.size, true, false, crc)
            .toBytes(), 0, itocBytes, TocHeader.SIZE * index++, TocEntry.SIZE);
      }
      for (Planned section : dtoc) {
        int crc = writeBody(channel, section, null);
        System.arraycopy(TocEntry.fs3(section.type, section.offset, section.size, false, true, crc)
            .toBytes(), 0, itocBytes, TocHeader.SIZE * index++, TocEntry.SIZE);
      }
      System.arraycopy(TocEntry.end().toBytes(), 0, itocBytes, TocHeader.SIZE * index,
          TocEntry.SIZE);
      writeAt(channel, size, layout.itocOffset(), itocBytes);
    }

    /** Streams one body to its offset; returns its CRC16-SW. */
    private int writeBody(FileChannel channel, Planned section, MessageDigest digest)
        throws IOException {
      Crc16.Sw crc = new Crc16.Sw();
      ChunkSink sink = (chunk, length, position) -> {
        crc.update(chunk, 0, length);
        if (digest != null) {
          digest.update(chunk, 0, length);
        }
        writeAt(channel, layout.imageSize(), position, chunk, length);
      };
      ContentStreams.stream(section.content, section.size, section.offset, sink);
      return crc.value();
    }
  }

  /** Receives consecutive chunks of a body. */
  interface ChunkSink {
    void accept(byte[] chunk, int length, long position) throws IOException;
  }

  private record SectionRequest(int type, SectionContent content, int crcMode) {}

  private static ImageInfo imageInfo(ImageDescription d) {
    return ImageInfo.builder()
        .device(d.device())
        .flags(d.flags())
        .fwVersion(d.fwVersion())
        .releaseDate(d.releaseDate())
        .psid(d.psid())
        .name(d.partNumber())
        .description(d.description())
        .productVersion(d.productVersion())
        .prsName(d.prsName())
        .vsd(d.vsd())
        .build();
  }

  private static byte[] reservedBody(ImageDescription d, ReservedSection section)
      throws InvalidDescriptionException {
    return switch (section) {
      case IMAGE_SIGNATURE_256 -> ImageSignature.empty(ImageSignature.Kind.SIGNATURE_256).encode();
      case IMAGE_SIGNATURE_512 -> ImageSignature.empty(ImageSignature.Kind.SIGNATURE_512).encode();
      case PUBLIC_KEYS_2048 -> publicKeys(d, PublicKeys.Kind.KEYS_2048);
      case PUBLIC_KEYS_4096 -> publicKeys(d, PublicKeys.Kind.KEYS_4096);
      case FORBIDDEN_VERSIONS -> forbiddenVersions(d);
      case RSA_PUBLIC_KEY -> RsaPublicKey.empty().encode();
      case RSA_4096_SIGNATURES -> Rsa4096Signatures.empty().encode();
      case HMAC_DIGEST -> new byte[ReservedSection.HMAC_DIGEST_SIZE];
    };
  }

  private static byte[] publicKeys(ImageDescription d, PublicKeys.Kind kind)
      throws InvalidDescriptionException {
    int entries = d.publicKeyEntries();
    // set_public_keys accepts only files of at least 0x220 bytes (fs4-format.md §16.9).
    if (entries < 1 || entries > 64 || entries * kind.entrySize() < 0x220) {
      throw invalid("%d public-key entries: need 1..64 and at least 0x220 bytes per section "
          + "(2 entries for 2048-bit keys)", entries);
    }
    return PublicKeys.unused(kind, entries).encode();
  }

  private static byte[] forbiddenVersions(ImageDescription d) throws InvalidDescriptionException {
    int size = d.forbiddenVersionsSize();
    if (size < ForbiddenVersions.HEADER_SIZE || size % 4 != 0 || size > 0x10000) {
      throw invalid("FORBIDDEN_VERSIONS size %d must be a multiple of 4 from 8 to 65536", size);
    }
    try {
      return d.forbiddenVersions().encode(size);
    } catch (IllegalArgumentException e) {
      throw new InvalidDescriptionException(e.getMessage());
    }
  }

  private static long contentSize(int type, SectionContent content)
      throws InvalidDescriptionException, IOException {
    String name = SectionType.nameOf(type);
    long size;
    if (content instanceof SectionContent.FromFile file) {
      if (!Files.isRegularFile(file.path())) {
        throw new NoSuchFileException(file.path().toString(), null,
            "payload of section " + name + " is not a readable file");
      }
      size = align(Files.size(file.path()), 4);
    } else if (content instanceof SectionContent.FromBytes bytes) {
      size = align(bytes.bytes().length, 4);
    } else if (content instanceof SectionContent.Filled filled) {
      if (filled.fill() < 0 || filled.fill() > 0xFF) {
        throw invalid("section %s fill value %d is not a byte", name, filled.fill());
      }
      size = filled.size();
    } else {
      size = ((SectionContent.Random) content).size();
    }
    if (size < 0 || size % 4 != 0) {
      throw invalid("section %s size %d is not a non-negative multiple of 4", name, size);
    }
    if (size > TocEntry.MAX_SECTION_SIZE) {
      throw invalid("section %s is %d bytes; a section holds at most %d", name, size,
          TocEntry.MAX_SECTION_SIZE);
    }
    return size;
  }

  static int defaultLog2(long imageSize) {
    int ceil = 64 - Long.numberOfLeadingZeros(imageSize - 1);
    return Math.max(ToolsArea.DEFAULT_LOG2_SLOT_SIZE, ceil - 1);
  }

  private static long align(long value, long alignment) {
    return (value + alignment - 1) / alignment * alignment;
  }

  private static void fillBackground(FileChannel channel, long size) throws IOException {
    byte[] ones = new byte[(int) Math.min(CHUNK, size)];
    Arrays.fill(ones, (byte) 0xFF);
    for (long at = 0; at < size; at += ones.length) {
      writeAt(channel, size, at, ones, (int) Math.min(ones.length, size - at));
    }
  }

  static void writeAt(FileChannel channel, long imageSize, long position, byte[] bytes)
      throws IOException {
    writeAt(channel, imageSize, position, bytes, bytes.length);
  }

  static void writeAt(FileChannel channel, long imageSize, long position, byte[] bytes, int length)
      throws IOException {
    if (position < 0 || position + length > imageSize) {
      // A planning bug, never user input: the plan has checked every range.
      throw new IllegalStateException(
          String.format("write of 0x%x bytes at 0x%x leaves the image", length, position));
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, length);
    long at = position;
    while (buffer.hasRemaining()) {
      at += channel.write(buffer, at);
    }
  }

  private static MessageDigest sha512() {
    try {
      return MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-512", e);
    }
  }

  private static InvalidDescriptionException invalid(String format, Object... args) {
    return new InvalidDescriptionException(String.format(format, args));
  }
}
