package dev.kiln.inspector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.format.TocEntry;
import dev.kiln.testkit.Mstflint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image whose FS4 magic is at 0x400000 (the second 4 MiB slot): HW pointers are relative to
 * the start, ITOC addresses go through the odd-slot translation (fs4-format.md §3, §9.6), DTOC
 * addresses are physical. mstflint 4.21 checks for "encryption" by reading the ITOC signature at
 * the untranslated toc_ptr before it sets up the translation, so it refuses such a file as
 * encrypted; kiln parses it through the translation and warns that mstflint cannot verify it.
 */
class NonZeroStartTest {
  private static final int START = 0x400000;

  @TempDir Path dir;

  @Test
  void imageInTheSecondSlotParsesLikeMstflint() throws Exception {
    byte[] slot = TestImages.valid(START);
    byte[] file = new byte[2 * START];
    Arrays.fill(file, 0, START, (byte) 0xFF);
    System.arraycopy(slot, 0, file, START, START);
    // DTOC entries hold physical offsets: move them into the second slot.
    int dtoc = file.length - 0x1000;
    for (int i = 0; i < 3; i++) {
      int at = dtoc + 0x20 * (i + 1);
      TocEntry entry = new TocEntry(Arrays.copyOfRange(file, at, at + 0x20));
      TocEntry moved = TocEntry.of(entry.type(), entry.flashAddrBytes() + START, entry.sizeBytes(),
          entry.crcMode(), entry.sectionCrc());
      TestImages.put(file, at, moved.toBytes());
    }
    Path path = Files.write(dir.resolve("second-slot.bin"), file);
    Mstflint.Result reference = Mstflint.require().verify(path);
    assertEquals(1, reference.exitCode(), reference.output());
    assertTrue(reference.output().contains("Cannot verify an encrypted image"), reference.output());

    Fs4Image image = ImageParser.parse(path);
    assertEquals(START, image.imageStart());
    VerificationResult result = ImageVerifier.verify(image);
    assertTrue(result.passed(), result.findings().toString());
    assertEquals(List.of(FindingCode.IMAGE_START_NOT_ZERO),
        result.findings().stream().map(Finding::code).toList());
    Section info = image.section(SectionType.IMAGE_INFO).orElseThrow();
    assertEquals(TestImages.IMAGE_INFO_AT, info.address());
    assertEquals(START + TestImages.IMAGE_INFO_AT, info.offset());
    assertEquals("22.41.1000", ImageSummary.of(image).fwVersion());
  }
}
