package dev.kiln.inspector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.build.ReservedSection;
import dev.kiln.inspector.build.SectionSpec;
import dev.kiln.inspector.format.HwPointer;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.format.TocEntry;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.testkit.Mstflint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The corruption rule on images from the production writer, with the places to corrupt found
 * through the parsed model rather than fixed offsets: one byte flipped in every CRC-protected
 * section body, every ITOC/DTOC entry and every HW pointer entry. Each time mstflint and kiln
 * must both fail and kiln's first error must name the structure mstflint names.
 */
class WriterImageCorruptionTest {
  private static final Mstflint MSTFLINT = Mstflint.require();

  @TempDir static Path dir;
  static byte[] original;
  static Fs4Image model;

  @BeforeAll
  static void writeImage() throws Exception {
    Path file = dir.resolve("writer.bin");
    ImageWriter.write(
        ImageDescription.builder(DeviceType.CX7, FwVersion.parse("28.42.1000"))
            .imageSize(1 << 20)
            .hashesTable(true)
            .reserve(ReservedSection.values())
            .section(SectionSpec.random(SectionType.HW_BOOT_CFG, 0x200, 1))
            .section(SectionSpec.random(SectionType.MAIN_CODE, 0x3000, 2))
            .build(),
        file,
        true);
    original = Files.readAllBytes(file);
    model = ImageParser.parse(file);
    assertEquals(0, MSTFLINT.verify(file).exitCode());
    assertTrue(ImageVerifier.verify(model).passed());
  }

  @Test
  void everyProtectedSectionBody() throws Exception {
    VerificationResult clean = ImageVerifier.verify(model);
    List<String> checked = new ArrayList<>();
    for (SectionCheck check : clean.sectionChecks()) {
      Section section = check.section();
      if (check.status() != SectionCheck.Status.OK || section.size() < 8) {
        continue; // no CRC to break (crc mode 1, unused DEV_INFO copy)
      }
      // Mid-body: away from the DEV_INFO signature and from an in-section CRC dword.
      int at = (int) (section.offset() + (section.size() / 2 & ~3));
      expectBoth(at, section.name(), "(" + section.name() + ")");
      checked.add(section.name());
    }
    assertTrue(checked.containsAll(List.of("IMAGE_INFO", "HW_BOOT_CFG", "MAIN_CODE",
        "IMAGE_SIGNATURE_256", "PUBLIC_KEYS_4096", "RSA_PUBLIC_KEY", "DEV_INFO", "MFG_INFO")),
        checked.toString());
  }

  @Test
  void everyTocEntry() throws Exception {
    for (Section section : model.sections()) {
      boolean itoc = section.table() == dev.kiln.inspector.format.TocHeader.Kind.ITOC;
      expectBoth((int) section.entryOffset() + 0x1F, itoc ? "ITOC_ENTRY" : "DTOC_ENTRY",
          itoc ? "Bad IToc Entry CRC" : "Bad DToc Entry CRC");
    }
    assertEquals(TocEntry.SIZE, model.sections().get(1).entryOffset()
        - model.sections().get(0).entryOffset());
  }

  @Test
  void everyHwPointerEntry() throws Exception {
    for (HwPointer pointer : HwPointer.values()) {
      expectBoth((int) model.imageStart() + pointer.entryOffset() + 7, "HW_POINTERS",
          "HW pointers not found");
    }
  }

  private static void expectBoth(int flipAt, String structure, String mstflintSays)
      throws Exception {
    byte[] bytes = original.clone();
    bytes[flipAt] ^= 0x04;
    Path file = Files.write(dir.resolve("corrupt.bin"), bytes);
    Mstflint.Result reference = MSTFLINT.verify(file);
    String where = structure + String.format(" @0x%x", flipAt);
    assertEquals(1, reference.exitCode(), where + ": " + reference.output());
    assertTrue(reference.output().contains(mstflintSays), where + ": " + reference.output());
    VerificationResult result = ImageVerifier.verify(ImageParser.parse(file));
    assertFalse(result.passed(), where);
    assertEquals(structure, result.errors().get(0).structure(),
        where + ": " + result.findings());
  }
}
