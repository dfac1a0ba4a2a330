package dev.kiln.inspector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.inspector.format.Dwords;
import dev.kiln.inspector.format.Fs4Magic;
import dev.kiln.inspector.build.ImageWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The component rules of {@link UpdateComponent} on the hand-assembled {@link TestImages} (whose
 * layout the test knows without the parser). {@code UpdateComponentMstflintTest} (pipeline)
 * compares the bytes with what mstflint itself sends.
 */
class UpdateComponentTest {
  @TempDir static Path images;

  @Test
  void restoreMagicGivesBackTheImageOfEitherFormat() throws Exception {
    byte[] fs4 = UpdateComponent.bytes(ImageParser.parse(TestImages.valid(), "fs4"));
    UpdateComponent.restoreMagic(fs4);
    assertEquals(ImageFormat.FS4, ImageParser.parse(fs4, "fs4 component").format());
    assertArrayEquals(Fs4Magic.fs4Bytes(), Arrays.copyOf(fs4, Fs4Magic.LENGTH));

    Path file = images.resolve("fs3.bin");
    ImageWriter.write(Fs3CorruptionTest.description(), file, true);
    Fs4Image fs3Image = ImageParser.parse(Files.readAllBytes(file), "fs3");
    byte[] fs3 = UpdateComponent.bytes(fs3Image);
    UpdateComponent.restoreMagic(fs3);
    Fs4Image restored = ImageParser.parse(fs3, "fs3 component");
    assertEquals(ImageFormat.FS3, restored.format());
    assertEquals(ImageSummary.of(fs3Image).fwVersion(), ImageSummary.of(restored).fwVersion());

    // Not masked: left alone.
    byte[] plain = TestImages.valid();
    UpdateComponent.restoreMagic(plain);
    assertArrayEquals(TestImages.valid(), plain);
  }

  @Test
  void endsWithTheHighestItocSectionAndMasksOnlyTheMagic() throws Exception {
    byte[] file = TestImages.valid();
    Fs4Image image = ImageParser.parse(file, "test");
    long last = 0;
    for (Section section : image.itoc().orElseThrow().sections()) {
      last = Math.max(last, section.offset() + section.size());
    }
    byte[] component = UpdateComponent.bytes(image);
    assertEquals(last, component.length);
    assertEquals(last, UpdateComponent.size(image));
    byte[] erased = new byte[Fs4Magic.LENGTH];
    Arrays.fill(erased, (byte) 0xFF);
    assertArrayEquals(erased, Arrays.copyOf(component, Fs4Magic.LENGTH));
    // Every byte of the structures mstflint reads is the file's byte.
    assertArrayEquals(
        Arrays.copyOfRange(file, Fs4Magic.LENGTH, TestImages.BOOT2_AT),
        Arrays.copyOfRange(component, Fs4Magic.LENGTH, TestImages.BOOT2_AT));
    for (Section section : image.itoc().orElseThrow().sections()) {
      int from = (int) section.offset();
      int to = (int) (section.offset() + section.size());
      assertArrayEquals(Arrays.copyOfRange(file, from, to),
          Arrays.copyOfRange(component, from, to), section.name());
    }
  }

  @Test
  void bytesNoStructureCoversAreSentAsErasedFlash() throws Exception {
    byte[] file = TestImages.valid();
    Fs4Image parsed = ImageParser.parse(file, "test");
    Structure boot2 = parsed.structure("BOOT2").orElseThrow();
    int gap = (int) (boot2.offset() + boot2.size());
    assertEquals(-1, Dwords.get(file, gap), "the test needs a gap after BOOT2");
    Dwords.put(file, gap, 0x12345678);
    byte[] component = UpdateComponent.bytes(ImageParser.parse(file, "test"));
    assertEquals(-1, Dwords.get(component, gap));
  }

  @Test
  void refusesImagesMstflintWouldNotSendAsTheyAre() throws Exception {
    byte[] shifted = new byte[2 << 20];
    Arrays.fill(shifted, (byte) 0xFF);
    byte[] valid = TestImages.valid();
    System.arraycopy(valid, 0, shifted, 1 << 20, valid.length);
    Fs4Image image = ImageParser.parse(shifted, "shifted");
    assertEquals(1 << 20, image.imageStart());
    ImageFormatException e =
        assertThrows(ImageFormatException.class, () -> UpdateComponent.bytes(image));
    assertEquals(
        "shifted: the image starts at 0x100000, not 0; kiln sends only images that start at 0"
            + " (for others mstflint would not send the image either)",
        e.getMessage());
  }
}
