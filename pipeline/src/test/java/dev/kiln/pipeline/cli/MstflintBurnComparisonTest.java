package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.Section;
import dev.kiln.inspector.Structure;
import dev.kiln.inspector.UpdateComponent;
import dev.kiln.inspector.format.TocEntry;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unmodified mstflint 4.21 and {@code kiln burn} burn the same image into copies of the same
 * emulated device through {@code kiln device exec}: the components they send are byte-identical
 * and equal {@link UpdateComponent#bytes}, and their MCC/MCDA sequences are equal (docs/burner.md
 * lists the deliberate differences, none of which a plain burn shows).
 */
class MstflintBurnComparisonTest {
  @TempDir static Path images;
  static Path running;

  @BeforeAll
  static void build() throws Exception {
    running = BurnTestImages.signed(images, SampleFirmware.Spec.secure("22.39.1002"), "v1");
  }

  private static void compare(Path work, Path image) throws Exception {
    MstflintBurnComparison.Burn mstflint = MstflintBurnComparison.mstflint(work, running, image);
    MstflintBurnComparison.Burn kiln = MstflintBurnComparison.kiln(work, running, image);
    byte[] expected = UpdateComponent.bytes(ImageParser.parse(image));
    assertEquals(expected.length, mstflint.component().length, "mstflint's component size");
    assertArrayEquals(expected, mstflint.component(), "mstflint's component bytes");
    assertArrayEquals(mstflint.component(), kiln.component(), "kiln's component bytes");
    MstflintBurnComparison.assertSameSteps(mstflint.steps(), kiln.steps());
    assertEquals(List.of(), mstflint.resends());
    assertEquals(List.of(), kiln.resends());
  }

  private static final SampleFirmware.Spec NEXT = SampleFirmware.Spec.secure("22.41.1000");

  @Test
  void aPlainImage(@TempDir Path work) throws Exception {
    compare(work, BurnTestImages.signed(images, NEXT, "v2"));
  }

  @Test
  void aOneMebibyteImage(@TempDir Path work) throws Exception {
    Path unsigned =
        BurnTestImages.unsigned(work, NEXT, "big", builder -> builder.imageSize(1 << 20));
    compare(work, BurnTestImages.signedAs(work, unsigned, "big", BurnTestImages.TRUSTED.toString()));
  }

  /** The highest section is the ITOC's first entry, so the last entry ends below the image end. */
  @Test
  void theHighestSectionIsNotTheLastEntry(@TempDir Path work) throws Exception {
    Path unsigned = BurnTestImages.unsigned(work, NEXT, "swapped");
    byte[] bytes = Files.readAllBytes(unsigned);
    List<Section> sections = ImageParser.parse(unsigned).itoc().orElseThrow().sections();
    Section first = sections.get(0);
    Section highest = sections.get(0);
    for (Section section : sections) {
      if (section.offset() + section.size() > highest.offset() + highest.size()) {
        highest = section;
      }
    }
    assertEquals(sections.get(sections.size() - 1), highest, "the writer puts it last");
    byte[] entry = Arrays.copyOfRange(bytes, (int) first.entryOffset(),
        (int) first.entryOffset() + TocEntry.SIZE);
    System.arraycopy(bytes, (int) highest.entryOffset(), bytes, (int) first.entryOffset(),
        TocEntry.SIZE);
    System.arraycopy(entry, 0, bytes, (int) highest.entryOffset(), TocEntry.SIZE);
    Files.write(unsigned, bytes);
    List<Section> swapped = ImageParser.parse(unsigned).itoc().orElseThrow().sections();
    assertEquals(highest.type(), swapped.get(0).type());
    compare(work, BurnTestImages.signedAs(work, unsigned, "swapped", BurnTestImages.TRUSTED.toString()));
  }

  /**
   * The device refuses the image at VERIFY (signed with a key it does not trust, which the image
   * itself provisions, so it is no key lock-out; kiln's default pre-check does not know the
   * device's trusted keys and only warns): both then CANCEL and RELEASE.
   */
  @Test
  void theDeviceRefusesTheImage(@TempDir Path work) throws Exception {
    Path image = BurnTestImages.signedByUntrustedKey(work, NEXT, "untrusted");
    MstflintBurnComparison.Burn mstflint =
        MstflintBurnComparison.mstflint(work, running, image, 1);
    MstflintBurnComparison.Burn kiln =
        MstflintBurnComparison.kiln(work, running, image, ExitCodes.CHECK_FAILED);
    assertArrayEquals(mstflint.component(), kiln.component(), "kiln's component bytes");
    MstflintBurnComparison.assertSameSteps(mstflint.steps(), kiln.steps());
    assertTrue(
        mstflint.steps().subList(mstflint.steps().size() - 3, mstflint.steps().size()).equals(
            List.of(
                "MCC SET VERIFY_COMPONENT index=0 size=0 handle=H",
                "MCC SET CANCEL index=0 size=0 handle=H",
                "MCC SET RELEASE_UPDATE_HANDLE index=0 size=0 handle=H")),
        mstflint.steps().toString());
    // The one deliberate difference here: mstflint sends the refused VERIFY a second time.
    assertEquals(List.of("MCC SET VERIFY_COMPONENT index=0 size=0 handle=H"), mstflint.resends());
    assertEquals(List.of(), kiln.resends());
    assertTrue(mstflint.output().contains("-E- "), mstflint.output());
    assertTrue(kiln.output().contains("the device refused the image: untrusted key"),
        kiln.output());
  }

  /**
   * Bytes outside every structure mstflint reads (after BOOT2, and after the last section) hold
   * data instead of erased flash: mstflint sends 0xFF for the first and nothing of the second.
   */
  @Test
  void gapsHoldData(@TempDir Path work) throws Exception {
    Path signed = BurnTestImages.signed(work, NEXT, "gaps");
    byte[] bytes = Files.readAllBytes(signed);
    Fs4Image image = ImageParser.parse(signed);
    Structure boot2 = image.structure("BOOT2").orElseThrow();
    long itoc = image.itoc().orElseThrow().headerOffset();
    int from = (int) (boot2.offset() + boot2.size());
    assertTrue(from + 64 <= itoc, "the test needs a gap between BOOT2 and the ITOC");
    Arrays.fill(bytes, from, (int) itoc, (byte) 0x5A);
    int end = (int) UpdateComponent.size(image);
    Arrays.fill(bytes, end, end + 0x100, (byte) 0xA5);
    Files.write(signed, bytes);
    byte[] component = UpdateComponent.bytes(ImageParser.parse(signed));
    assertEquals((byte) 0xFF, component[from]);
    compare(work, signed);
  }
}
