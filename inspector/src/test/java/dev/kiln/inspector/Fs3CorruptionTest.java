package dev.kiln.inspector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.ImageLayout;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.build.ReservedSection;
import dev.kiln.inspector.build.SectionSpec;
import dev.kiln.inspector.format.Crc16;
import dev.kiln.inspector.format.Dwords;
import dev.kiln.inspector.format.Fs3BootArea;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.format.TocEntry;
import dev.kiln.inspector.format.TocHeader;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.UidEntry;
import dev.kiln.testkit.Mstflint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One corruption per check of mstflint's FS3 verify (fs4-format.md §18; mstflint 4.21 fs3_ops.cpp
 * Fs3Operations::FsVerifyAux and VerifyTOC): each corrupted FS3 image must make both mstflint and
 * kiln fail, mstflint's output must name the structure, and kiln's first error must name the same
 * structure. The image comes from the writer, so its layout is read from {@link ImageLayout}.
 */
class Fs3CorruptionTest {
  private static final Mstflint MSTFLINT = Mstflint.require();
  private static final int SIZE = 1 << 20;

  @TempDir static Path images;
  private static byte[] valid;
  private static int itoc;
  private static int imageInfo;
  private static int mainCode;
  private static int devInfo;
  private static int mfgInfo;
  /** Entry index of MFG_INFO in the ITOC. */
  private static int mfgIndex;
  private static int entryCount;
  /** End of the last section at a relative (image) address. */
  private static int sectionsEnd;

  @TempDir Path dir;

  @BeforeAll
  static void build() throws Exception {
    Path file = images.resolve("fs3.bin");
    ImageLayout layout = ImageWriter.write(description(), file, true);
    valid = Files.readAllBytes(file);
    itoc = (int) layout.itocOffset();
    imageInfo = offset(layout, SectionType.IMAGE_INFO);
    mainCode = offset(layout, SectionType.MAIN_CODE);
    devInfo = offset(layout, SectionType.DEV_INFO);
    mfgInfo = offset(layout, SectionType.MFG_INFO);
    entryCount = layout.sections().size();
    sectionsEnd = (int) layout.sections().stream()
        .filter(p -> p.type() != SectionType.MFG_INFO.code()
            && p.type() != SectionType.DEV_INFO.code())
        .mapToLong(ImageLayout.Placement::end).max().orElseThrow();
    mfgIndex = layout.sections().indexOf(
        layout.section(TocHeader.Kind.ITOC, SectionType.MFG_INFO.code()).orElseThrow());
  }

  static ImageDescription description() {
    return ImageDescription.builder(DeviceType.CX4LX, FwVersion.parse("14.32.1010"))
        .format(ImageFormat.FS3)
        .imageSize(SIZE)
        .psid("MT_2420110034")
        .guids(new UidEntry(0x248a070300b1c200L, 4, 1))
        .macs(UidEntry.mac(0x248a07b1c200L, 4))
        .section(SectionSpec.random(SectionType.MAIN_CODE, 0x2000, 3))
        .reserve(ReservedSection.IMAGE_SIGNATURE_256, ReservedSection.PUBLIC_KEYS_2048)
        .build();
  }

  private static int offset(ImageLayout layout, SectionType type) {
    return (int) layout.section(TocHeader.Kind.ITOC, type.code()).orElseThrow().offset();
  }

  @Test
  void theWrittenImagePassesBoth() throws IOException {
    Path file = write(valid.clone());
    Mstflint.Result reference = MSTFLINT.verify(file);
    assertEquals(0, reference.exitCode(), reference.output());
    assertTrue(reference.output().contains("FS3 failsafe image"), reference.output());
    Fs4Image image = ImageParser.parse(file);
    assertEquals(ImageFormat.FS3, image.format());
    VerificationResult result = ImageVerifier.verify(image);
    assertTrue(result.findings().isEmpty(), result.findings().toString());
  }

  /** no_crc: mstflint prints CRC IGNORED for a changed body, and kiln does not check it either. */
  @Test
  void noCrcSectionsAreIgnoredByBoth() throws IOException {
    byte[] image = valid.clone();
    int at = entryAt(indexOf(image, SectionType.MAIN_CODE.code()));
    byte[] entry = Arrays.copyOfRange(image, at, at + TocEntry.SIZE);
    Dwords.put(entry, 0x18, Dwords.get(entry, 0x18) | (1 << 16));
    put(image, at, new TocEntry(entry).withEntryCrcFixed().toBytes());
    image[mainCode] ^= 1;
    Path file = write(image);
    Mstflint.Result reference = MSTFLINT.verify(file);
    assertEquals(0, reference.exitCode(), reference.output());
    assertTrue(reference.output().contains("(MAIN_CODE) - CRC IGNORED"), reference.output());
    VerificationResult result = ImageVerifier.verify(ImageParser.parse(file));
    assertTrue(result.passed(), result.findings().toString());
  }

  /**
   * No ITOC signature at the first 4 KiB boundary after BOOT2: both look at every later boundary
   * and use the first table found there (the sections stay where they are).
   */
  @Test
  void theItocIsFoundAtALaterBoundary() throws IOException {
    byte[] image = valid.clone();
    int length = TocHeader.SIZE * (entryCount + 2);
    int moved = (sectionsEnd + 0xFFF) / 0x1000 * 0x1000;
    System.arraycopy(image, itoc, image, moved, length);
    Arrays.fill(image, itoc, itoc + length, (byte) 0xFF);
    Path file = write(image);
    Mstflint.Result reference = MSTFLINT.verify(file);
    assertEquals(0, reference.exitCode(), reference.output());
    assertTrue(reference.output().contains(String.format("/0x%08x-", moved)), reference.output());
    Fs4Image parsed = ImageParser.parse(file);
    assertEquals(moved, parsed.itoc().orElseThrow().headerOffset());
    VerificationResult result = ImageVerifier.verify(parsed);
    assertTrue(result.passed(), result.findings().toString());
  }

  static Stream<Arguments> corruptions() {
    return Stream.of(
        c("odd size", "4-bytes aligned", "FILE", b -> Arrays.copyOf(b, b.length + 2)),
        c("image format 2 (FS2)", "FW image verification failed", "FORMAT_DWORD",
            b -> set(b, Fs3BootArea.FORMAT_DWORD_OFFSET, 0x02160101)),
        c("bin version 2.0", "Unsupported binary version", "FORMAT_DWORD",
            b -> set(b, Fs3BootArea.FORMAT_DWORD_OFFSET, 0x03160200)),
        c("bin version 1.0", "minimal supported version", "FORMAT_DWORD",
            b -> set(b, Fs3BootArea.FORMAT_DWORD_OFFSET, 0x03160100)),
        c("boot2 size 3", "(BOOT2)", "BOOT2", b -> set(b, Fs3BootArea.SIZE + 4, 3)),
        c("boot2 crc", "(BOOT2)", "BOOT2", b -> flip(b, Fs3BootArea.SIZE + 0x20)),
        c("no itoc", "No valid ITOC", "ITOC_HEADER", b -> flip(b, itoc)),
        c("itoc header crc", "(ITOC_HEADER)", "ITOC_HEADER", b -> flip(b, itoc + 0x1F)),
        c("itoc entry crc", "Bad Itoc Entry CRC", "ITOC_ENTRY", b -> flip(b, itoc + 0x20 + 0x1F)),
        c("image info crc", "(IMAGE_INFO)", "IMAGE_INFO", b -> flip(b, imageInfo + 0x200)),
        c("main code crc", "(MAIN_CODE)", "MAIN_CODE", b -> flip(b, mainCode)),
        c("dev info crc", "(DEV_INFO)", "DEV_INFO", b -> flip(b, devInfo + 0x100)),
        c("mfg info crc", "(MFG_INFO)", "MFG_INFO", b -> flip(b, mfgInfo + 0x100)),
        c("no mfg info", "No \"MFG_INFO\"", "MFG_INFO", b -> {
          int at = entryAt(mfgIndex);
          TocEntry old = new TocEntry(Arrays.copyOfRange(b, at, at + TocEntry.SIZE));
          byte[] raw = old.raw();
          raw[0] = (byte) 0xE6; // NV_DATA0 instead of MFG_INFO
          return put(b, at, new TocEntry(raw).withEntryCrcFixed().toBytes());
        }),
        c("mfg info major 2", "MFG_INFO", "MFG_INFO", b -> {
          set(b, mfgInfo + 0x1C, 2 << 24);
          return fixSectionCrc(b, mfgIndex, mfgInfo, 0x140);
        }),
        c("dev info major 3", "DEV_INFO", "DEV_INFO", b -> {
          set(b, devInfo + 0x10, 3 << 8);
          return fixSectionCrc(b, indexOf(b, SectionType.DEV_INFO.code()), devInfo, 0x200);
        }),
        c("image info major 1", "IMAGE_INFO", "IMAGE_INFO", b -> {
          b[imageInfo] = 1;
          return fixSectionCrc(b, 0, imageInfo, 0x400);
        }),
        c("section outside the file", "read error", "MAIN_CODE", b -> {
          int index = indexOf(b, SectionType.MAIN_CODE.code());
          return put(b, entryAt(index),
              TocEntry.fs3(0x03, SIZE - 0x800, 0x1000, false, false, 0).toBytes());
        }),
        c("64 itoc entries", "number of ITOCs", "ITOC_ENTRY", Fs3CorruptionTest::sixtyFourEntries));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptions")
  void bothToolsRejectAndNameTheSameStructure(
      String name, String mstflintSays, String structure, UnaryOperator<byte[]> corrupt)
      throws IOException {
    Path file = write(corrupt.apply(valid.clone()));
    Mstflint.Result reference = MSTFLINT.verify(file);
    assertNotEquals(0, reference.exitCode(), "mstflint accepted it: " + reference.output());
    assertTrue(reference.output().contains(mstflintSays),
        "mstflint output lacks '" + mstflintSays + "': " + reference.output());
    VerificationResult result = ImageVerifier.verify(ImageParser.parse(file));
    assertFalse(result.passed(), "kiln accepted it");
    assertEquals(structure, result.errors().get(0).structure(), result.findings().toString());
  }

  private Path write(byte[] image) throws IOException {
    Path file = Files.createTempFile(dir, "fs3", ".bin");
    Files.write(file, image);
    return file;
  }

  private static int entryAt(int index) {
    return itoc + TocHeader.SIZE + index * TocEntry.SIZE;
  }

  private static int indexOf(byte[] image, int type) {
    for (int i = 0; ; i++) {
      int at = entryAt(i);
      if ((image[at] & 0xFF) == type) {
        return i;
      }
      if ((image[at] & 0xFF) == 0xFF) {
        throw new IllegalStateException("no entry of type " + type);
      }
    }
  }

  private static byte[] fixSectionCrc(byte[] image, int index, int body, int size) {
    int at = entryAt(index);
    TocEntry entry = new TocEntry(Arrays.copyOfRange(image, at, at + TocEntry.SIZE));
    return put(image, at, entry.withSectionCrc(Crc16.sw(image, body, size)).toBytes());
  }

  /** 64 valid zero-size entries: one more than mstflint allows. */
  private static byte[] sixtyFourEntries(byte[] image) {
    int at = entryAt(0);
    for (int i = 0; i < 64; i++, at += TocEntry.SIZE) {
      put(image, at, TocEntry.fs3(0xE0, mfgInfo, 0, false, true, 0xFFFF).toBytes());
    }
    return put(image, at, TocEntry.end().toBytes());
  }

  private static Arguments c(String name, String mstflintSays, String structure,
      UnaryOperator<byte[]> corrupt) {
    return Arguments.of(name, mstflintSays, structure, corrupt);
  }

  private static byte[] flip(byte[] image, int at) {
    image[at] ^= 0x01;
    return image;
  }

  private static byte[] set(byte[] image, int at, int dword) {
    Dwords.put(image, at, dword);
    return image;
  }

  private static byte[] put(byte[] image, int at, byte[] bytes) {
    System.arraycopy(bytes, 0, image, at, bytes.length);
    return image;
  }
}
