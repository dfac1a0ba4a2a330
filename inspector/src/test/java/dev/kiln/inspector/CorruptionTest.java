package dev.kiln.inspector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.format.Crc16;
import dev.kiln.inspector.format.Dwords;
import dev.kiln.inspector.format.HwPointer;
import dev.kiln.inspector.format.HwPointers;
import dev.kiln.inspector.format.TocEntry;
import dev.kiln.inspector.format.TocHeader;
import dev.kiln.testkit.Mstflint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One corruption per check of mstflint's verify (fs4-format.md §17): each corrupted image must make
 * both mstflint and kiln fail, mstflint's output must name the structure, and kiln's first error
 * must name the same structure.
 */
class CorruptionTest {
  private static final Mstflint MSTFLINT = Mstflint.require();
  private static final int SIZE = 1 << 20;
  private static final int DTOC = SIZE - 0x1000;
  private static final int DEV_INFO = SIZE - 0x3000;
  private static final int DEV_INFO_SPARE = SIZE - 0x4000;
  private static final int MFG_INFO = SIZE - 0x2000;

  @TempDir Path dir;

  @Test
  void uncorruptedImagesPassBoth() throws IOException {
    for (byte[] image : new byte[][] {TestImages.valid(), TestImages.withHashesTable()}) {
      Path file = write(image);
      Mstflint.Result reference = MSTFLINT.verify(file);
      assertEquals(0, reference.exitCode(), reference.output());
      VerificationResult result = ImageVerifier.verify(ImageParser.parse(file));
      assertTrue(result.passed(), result.findings().toString());
      assertTrue(result.findings().isEmpty(), result.findings().toString());
    }
  }

  @Test
  void erasedHwPointerIsAcceptedByBothWhateverItsCrc() throws IOException {
    byte[] image = TestImages.valid();
    int entry = HwPointer.AUTHENTICATION_END.entryOffset();
    set(image, entry, 0xFFFFFFFF);
    set(image, entry + 4, 0x00001234);
    Path file = write(image);
    Mstflint.Result reference = MSTFLINT.verify(file);
    assertEquals(0, reference.exitCode(), reference.output());
    VerificationResult result = ImageVerifier.verify(ImageParser.parse(file));
    assertTrue(result.passed(), result.findings().toString());
  }

  static Stream<Arguments> corruptions() {
    return Stream.of(
        // #1 file size not a multiple of 4
        c("odd size", "4-bytes aligned", "FILE", b -> Arrays.copyOf(b, b.length + 2)),
        // #3 image format version
        c("format version 2", "Invalid Firmware Format", "BOOT_VERSION",
            b -> set(b, 0x10, 0x02000000)),
        // #4 a second magic at a search offset
        c("duplicate magic", "More than one FS4 image", "MAGIC",
            b -> copy(b, 0, 0x10000, 16)),
        // #5/#7 HW pointer CRCs: a wrong CRC, and a non-zero upper half of the CRC dword
        c("hw pointer crc", "HW pointers not found", "HW_POINTERS", b -> flip(b, 0x18 + 8 + 7)),
        c("hw pointer crc upper half", "HW pointers not found", "HW_POINTERS",
            b -> flip(b, 0x18 + 16 * 8 - 4)),
        // #6 no ITOC signature at either place
        c("no itoc", "encrypted", "ITOC_HEADER", b -> flip(b, TestImages.TOC_AT)),
        // #8/#9 tools area
        c("tools crc", "(TOOLS_AREA)", "TOOLS_AREA", b -> flip(b, TestImages.TOOLS_AT + 0x3F)),
        c("tools bin version 2.0", "Unsupported binary version", "TOOLS_AREA", b -> {
          set(b, TestImages.TOOLS_AT + 4, (0x16 << 16) | (2 << 8));
          return set(b, TestImages.TOOLS_AT + 0x3C, Crc16.sw(b, TestImages.TOOLS_AT, 0x3C));
        }),
        c("tools area beyond file", "read error", "TOOLS_AREA",
            b -> pointer(b, HwPointer.TOOLS, SIZE - 0x20)),
        // #10 everything before BOOT2 must be readable
        c("boot2 beyond file", "read error", "BOOT2", b -> pointer(b, HwPointer.BOOT2, SIZE * 2)),
        // #11/#12 BOOT2 size and CRC
        c("boot2 size 3", "(BOOT2)", "BOOT2", b -> set(b, TestImages.BOOT2_AT + 4, 3)),
        c("boot2 crc", "(BOOT2)", "BOOT2", b -> flip(b, TestImages.BOOT2_AT + 0x20)),
        c("boot2 crc upper half", "(BOOT2)", "BOOT2", b -> flip(b, TestImages.BOOT2_AT + 0x7CC)),
        // #14 ITOC header CRC
        c("itoc header crc", "No valid ITOC Header", "ITOC_HEADER",
            b -> flip(b, TestImages.TOC_AT + 0x1F)),
        // #15 too many ITOC entries
        c("64 itoc entries", "number of ITocs", "ITOC_ENTRY", CorruptionTest::sixtyFourEntries),
        // #16 ITOC entry CRC
        c("itoc entry crc", "Bad IToc Entry CRC", "ITOC_ENTRY",
            b -> flip(b, TestImages.TOC_AT + 0x20 + 0x1F)),
        // #17 section outside the file
        c("section outside file", "out of image limits", "MAIN_CODE", b -> entry(b,
            TestImages.TOC_AT + 0x40, TocEntry.of(0x03, SIZE - 0x800, 0x1000, 0, 0))),
        // #18 section CRCs, one per crc mode and table
        c("image info crc", "(IMAGE_INFO)", "IMAGE_INFO",
            b -> flip(b, TestImages.IMAGE_INFO_AT + 0x200)),
        c("main code crc", "(MAIN_CODE)", "MAIN_CODE", b -> flip(b, TestImages.MAIN_CODE_AT)),
        c("dev info crc (in-section)", "(DEV_INFO)", "DEV_INFO", b -> flip(b, DEV_INFO + 0x100)),
        c("mfg info crc", "(MFG_INFO)", "MFG_INFO", b -> flip(b, MFG_INFO + 0x100)),
        // #19 IMAGE_INFO major version and supported HW id
        c("image info major 1", "section 16", "IMAGE_INFO", b -> {
          b[TestImages.IMAGE_INFO_AT] = 1;
          TestImages.fixItocEntry(b, 0);
          return b;
        }),
        c("image info hw id 0", "section 16", "IMAGE_INFO", b -> {
          set(b, TestImages.IMAGE_INFO_AT + 0x118, 0);
          TestImages.fixItocEntry(b, 0);
          return b;
        }),
        // #20 DTOC header: missing (data appended) and wrong CRC
        c("dtoc not at end", "No valid DTOC Header", "DTOC_HEADER",
            b -> Arrays.copyOf(b, b.length + 0x1000)),
        c("dtoc crc", "No valid DTOC Header", "DTOC_HEADER", b -> flip(b, DTOC + 0x1F)),
        // #21 DTOC entry CRC
        c("dtoc entry crc", "Bad DToc Entry CRC", "DTOC_ENTRY", b -> flip(b, DTOC + 0x60 + 3)),
        // #22 MFG_INFO / DEV_INFO versions
        c("mfg info major 2", "section 224", "MFG_INFO", b -> {
          set(b, MFG_INFO + 0x1C, 2 << 24);
          return dtocEntryCrc(b, 2, MFG_INFO, 0x140);
        }),
        c("dev info major 3", "section 225", "DEV_INFO", b -> {
          set(b, DEV_INFO + 0x10, 3 << 8);
          return set(b, DEV_INFO + 0x1FC, Crc16.sw(b, DEV_INFO, 0x1FC));
        }),
        // #23 MFG_INFO missing
        c("no mfg info", "No \"MFG_INFO\"", "MFG_INFO",
            b -> entry(b, DTOC + 0x60, TocEntry.of(0xE6, MFG_INFO, 0x140, 1, 0))),
        // #24 exactly one valid DEV_INFO
        c("no valid dev info", "No \"DEV_INFO\"", "DEV_INFO", b -> {
          flip(b, DEV_INFO);
          return set(b, DEV_INFO + 0x1FC, Crc16.sw(b, DEV_INFO, 0x1FC));
        }),
        c("two valid dev info", "Two \"DEV_INFO\"", "DEV_INFO",
            b -> copy(b, DEV_INFO, DEV_INFO_SPARE, 0x200)),
        // truncation: the ITOC sections survive, the DTOC is gone
        c("truncated to 64 KiB", "No valid DTOC Header", "DTOC_HEADER",
            b -> Arrays.copyOf(b, 0x10000)));
  }

  static Stream<Arguments> hashesTableCorruptions() {
    return Stream.of(
        c("hashes table header crc", "HASHES TABLE HEADER", "HASHES_TABLE",
            b -> flip(b, TestImages.HASHES_AT + 0xB)),
        c("hashes table crc", "(HASHES_TABLE)", "HASHES_TABLE",
            b -> flip(b, TestImages.HASHES_AT + 0x400)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptions")
  void bothToolsRejectAndNameTheSameStructure(
      String name, String mstflintSays, String structure, UnaryOperator<byte[]> corrupt)
      throws IOException {
    check(corrupt.apply(TestImages.valid()), mstflintSays, structure);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hashesTableCorruptions")
  void hashesTableCorruptionsAreCaught(
      String name, String mstflintSays, String structure, UnaryOperator<byte[]> corrupt)
      throws IOException {
    check(corrupt.apply(TestImages.withHashesTable()), mstflintSays, structure);
  }

  @Test
  void destroyedMagicIsNotAnImageForEither() throws IOException {
    byte[] image = TestImages.valid();
    image[3] ^= 1;
    Path file = write(image);
    Mstflint.Result reference = MSTFLINT.verify(file);
    assertNotEquals(0, reference.exitCode());
    assertTrue(reference.output().contains("No valid image found"), reference.output());
    ImageFormatException e =
        assertThrows(ImageFormatException.class, () -> ImageParser.parse(file));
    assertTrue(e.getMessage().contains("no FS4 image signature"), e.getMessage());
  }

  private void check(byte[] image, String mstflintSays, String structure) throws IOException {
    Path file = write(image);
    Mstflint.Result reference = MSTFLINT.verify(file);
    assertNotEquals(0, reference.exitCode(), "mstflint accepted it: " + reference.output());
    assertTrue(reference.output().contains(mstflintSays),
        "mstflint output lacks '" + mstflintSays + "': " + reference.output());
    VerificationResult result = ImageVerifier.verify(ImageParser.parse(file));
    assertFalse(result.passed(), "kiln accepted it");
    assertEquals(structure, result.errors().get(0).structure(), result.findings().toString());
  }

  private Path write(byte[] image) throws IOException {
    Path file = Files.createTempFile(dir, "corrupt", ".bin");
    Files.write(file, image);
    return file;
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

  private static byte[] copy(byte[] image, int from, int to, int length) {
    System.arraycopy(image, from, image, to, length);
    return image;
  }

  private static byte[] entry(byte[] image, int at, TocEntry entry) {
    TestImages.put(image, at, entry.toBytes());
    return image;
  }

  private static byte[] pointer(byte[] image, HwPointer pointer, int value) {
    HwPointers pointers = HwPointers.read(java.nio.ByteBuffer.wrap(image), 0x18);
    TestImages.put(image, 0x18, pointers.with(pointer, value).toBytes());
    return image;
  }

  private static byte[] dtocEntryCrc(byte[] image, int index, int body, int size) {
    int at = DTOC + 0x20 * (index + 1);
    TocEntry entry = new TocEntry(Arrays.copyOfRange(image, at, at + 0x20));
    return entry(image, at, entry.withSectionCrc(Crc16.sw(image, body, size)));
  }

  /** 64 valid zero-size entries: one more than mstflint allows. */
  private static byte[] sixtyFourEntries(byte[] image) {
    int at = TestImages.TOC_AT + 0x20;
    for (int i = 0; i < 64; i++, at += 0x20) {
      entry(image, at, TocEntry.of(0x03, TestImages.MAIN_CODE_AT, 0, 1, 0));
    }
    entry(image, at, TocEntry.end());
    TestImages.put(image, TestImages.TOC_AT,
        TocHeader.of(TocHeader.Kind.ITOC, 1, 0, 64).toBytes());
    return image;
  }
}
