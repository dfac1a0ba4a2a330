package dev.kiln.inspector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.inspector.format.Dwords;
import dev.kiln.inspector.format.Fs4Magic;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The component rules of {@link UpdateComponent} on the hand-assembled {@link TestImages} (whose
 * layout the test knows without the parser). {@code UpdateComponentMstflintTest} (pipeline)
 * compares the bytes with what mstflint itself sends.
 */
class UpdateComponentTest {
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
