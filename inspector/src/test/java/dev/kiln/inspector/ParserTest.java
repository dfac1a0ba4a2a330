package dev.kiln.inspector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.format.HwPointer;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.format.TocHeader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model the parser builds: offsets, sizes and tables of a known image. */
class ParserTest {
  @TempDir Path dir;

  @Test
  void locatesEveryStructureOfTheReferenceLayout() throws Exception {
    Path file = Files.write(dir.resolve("ok.bin"), TestImages.valid());
    Fs4Image image = ImageParser.parse(file);
    assertEquals(1 << 20, image.size());
    assertEquals(0, image.imageStart());
    assertEquals(List.of(0L), image.magicOffsets());
    assertEquals(1, image.formatVersion());
    assertEquals(TestImages.TOC_AT, image.hwPointer(HwPointer.TOC));
    assertEquals(7, image.securityVersion());
    assertEquals(0x16, image.log2SlotSize());
    assertEquals(1, image.toolsArea().orElseThrow().binVerMajor());
    assertEquals(0x1F0, image.boot2().orElseThrow().dwordCount());
    assertTrue(image.hashesTable().isEmpty());
    assertEquals(
        List.of("BOOT_AREA", "BOOT_RECORD", "TOOLS_AREA", "BOOT2", "ITOC_HEADER", "DTOC_HEADER"),
        image.structures().stream().map(Structure::name).toList());
    assertEquals(new Structure("BOOT2", 0x1000, 0x7D0), image.structure("BOOT2").orElseThrow());
    assertEquals(new Structure("ITOC_HEADER", 0x4000, 0x20 * 6),
        image.structure("ITOC_HEADER").orElseThrow());

    Toc itoc = image.itoc().orElseThrow();
    assertFalse(itoc.failsafeCopy());
    assertTrue(itoc.terminated());
    assertEquals(List.of("IMAGE_INFO", "MAIN_CODE", "IMAGE_SIGNATURE_256", "PUBLIC_KEYS_2048"),
        itoc.sections().stream().map(Section::name).toList());
    Section info = image.section(SectionType.IMAGE_INFO).orElseThrow();
    assertEquals(TestImages.IMAGE_INFO_AT, info.offset());
    assertEquals(0x400, info.size());
    assertEquals(TestImages.TOC_AT + 0x20, info.entryOffset());
    assertEquals(0x400, image.body(info).remaining());
    assertTrue(image.body(info).isReadOnly());
    assertEquals(3, image.bodyBytes(info)[1]); // minor_version 3

    Toc dtoc = image.dtoc().orElseThrow();
    assertEquals((1 << 20) - 0x1000, dtoc.headerOffset());
    assertEquals(List.of("DEV_INFO", "DEV_INFO", "MFG_INFO"),
        dtoc.sections().stream().map(Section::name).toList());
    assertEquals(2, image.sectionsOf(SectionType.DEV_INFO).size());
    assertTrue(image.parseFindings().isEmpty());
  }

  @Test
  void fallsBackToTheFailsafeItocCopy() throws Exception {
    byte[] bytes = TestImages.valid();
    System.arraycopy(bytes, TestImages.TOC_AT, bytes, TestImages.TOC_AT + 0x1000, 0x20 * 6);
    bytes[TestImages.TOC_AT + 0x1F] ^= 1; // primary copy: signature fine, CRC wrong
    Fs4Image image = ImageParser.parse(bytes, "failsafe");
    Toc itoc = image.itoc().orElseThrow();
    assertTrue(itoc.failsafeCopy());
    assertEquals(TestImages.TOC_AT + 0x1000, itoc.headerOffset());
    VerificationResult result = ImageVerifier.verify(image);
    assertTrue(result.passed(), result.findings().toString());
    assertEquals(Severity.WARNING, result.findings().get(0).severity());
    assertEquals("ITOC_HEADER", result.findings().get(0).structure());
  }

  @Test
  void aBufferIsReadUpToItsLimitOnly() throws Exception {
    byte[] bytes = TestImages.valid();
    byte[] larger = java.util.Arrays.copyOf(bytes, bytes.length + 0x1000);
    ByteBuffer limited = ByteBuffer.wrap(larger).limit(bytes.length).position(0x40);
    Fs4Image image = ImageParser.parse(limited, "limited");
    assertEquals(bytes.length, image.size());
    assertTrue(image.dtoc().isPresent());
  }

  @Test
  void bytesAreAViewNotACopy() throws Exception {
    byte[] bytes = TestImages.valid();
    Fs4Image image = ImageParser.parse(ByteBuffer.wrap(bytes), "view");
    assertTrue(image.bytes().isReadOnly());
    assertThrows(java.nio.ReadOnlyBufferException.class, () -> image.bytes().put(0, (byte) 0));
    ByteBuffer one = image.bytes();
    one.position(100);
    assertEquals(0, image.bytes().position());
  }

  @Test
  void reportsOverlapsUnknownTypesAndUndefinedCrcModes() throws Exception {
    byte[] bytes = TestImages.valid();
    // MAIN_CODE moved onto IMAGE_INFO, type of the signature section made unknown, and the
    // public keys given crc mode 5.
    TestImages.put(bytes, TestImages.TOC_AT + 0x40, dev.kiln.inspector.format.TocEntry.of(
        0x03, TestImages.IMAGE_INFO_AT + 0x200, 0x1000, 1, 0).toBytes());
    TestImages.put(bytes, TestImages.TOC_AT + 0x60, dev.kiln.inspector.format.TocEntry.of(
        0x77, TestImages.SIG256_AT, 0x140, 1, 0).toBytes());
    TestImages.put(bytes, TestImages.TOC_AT + 0x80, dev.kiln.inspector.format.TocEntry.of(
        0xA1, TestImages.PUBKEYS_AT, 0x900, 5, 0).toBytes());
    VerificationResult result = ImageVerifier.verify(ImageParser.parse(bytes, "odd"));
    assertFalse(result.passed());
    assertEquals(List.of(FindingCode.SECTION_CRC_MODE, FindingCode.SECTION_TYPE_UNKNOWN,
            FindingCode.SECTION_OVERLAP),
        result.findings().stream().map(Finding::code).toList(), result.findings().toString());
    assertEquals("UNKNOWN:0x77", result.findings().get(1).structure());
    assertEquals(SectionCheck.Status.IGNORED,
        result.sectionChecks().get(3).status());
  }

  @Test
  void sectionsBeyondTheSlotAreReported() throws Exception {
    byte[] bytes = TestImages.valid(0x1000000); // 16 MiB so the translated address is in the file
    // A MAIN_CODE entry at contiguous 0x3FF000 of 0x2000 bytes crosses the 4 MiB slot.
    TestImages.put(bytes, TestImages.TOC_AT + 0x40, dev.kiln.inspector.format.TocEntry.of(
        0x03, 0x3FF000, 0x2000, 1, 0).toBytes());
    VerificationResult result = ImageVerifier.verify(ImageParser.parse(bytes, "slot"));
    assertTrue(result.has(FindingCode.SECTION_BEYOND_SLOT), result.findings().toString());
  }

  @Test
  void twoMagicsUseTheFirst() throws Exception {
    byte[] bytes = TestImages.valid();
    System.arraycopy(bytes, 0, bytes, 0x80000, 16);
    Fs4Image image = ImageParser.parse(bytes, "two");
    assertEquals(List.of(0L, 0x80000L), image.magicOffsets());
    assertEquals(FindingCode.MAGIC_DUPLICATE, image.parseFindings().get(0).code());
  }

  @Test
  void dtocHeaderIsLookedForOnlyAtTheEnd() throws Exception {
    byte[] bytes = Arrays.copyOf(TestImages.valid(), (1 << 20) + 0x1000);
    Arrays.fill(bytes, 1 << 20, bytes.length, (byte) 0xFF);
    Fs4Image image = ImageParser.parse(bytes, "appended");
    assertTrue(image.dtoc().isEmpty());
    assertEquals("DTOC_HEADER", image.parseFindings().get(0).structure());
    assertEquals(TocHeader.Kind.ITOC, image.sections().get(0).table());
  }
}
