package dev.kiln.inspector.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Fs4MagicTest {
  @Test
  void maskThenUnmaskGivesTheImageBack() {
    byte[] image = new byte[64];
    System.arraycopy(Fs4Magic.fs4Bytes(), 0, image, 0, Fs4Magic.LENGTH);
    image[Fs4Magic.LENGTH] = 0x12;
    byte[] original = image.clone();

    Fs4Magic.mask(image, 0);
    byte[] erased = new byte[Fs4Magic.LENGTH];
    Arrays.fill(erased, (byte) 0xFF);
    assertArrayEquals(erased, Arrays.copyOf(image, Fs4Magic.LENGTH));
    assertFalse(Fs4Magic.isFs4At(ByteBuffer.wrap(image), 0));
    assertEquals(0x12, image[Fs4Magic.LENGTH]);

    assertTrue(Fs4Magic.unmask(image));
    assertArrayEquals(original, image);
  }

  @Test
  void unmaskLeavesAnythingButAnErasedPatternAlone() {
    byte[] image = new byte[32];
    Arrays.fill(image, 0, Fs4Magic.LENGTH, (byte) 0xFF);
    image[15] = 0x00;
    byte[] before = image.clone();
    assertFalse(Fs4Magic.unmask(image));
    assertArrayEquals(before, image);
    assertFalse(Fs4Magic.unmask(new byte[] {(byte) 0xFF, (byte) 0xFF}));
  }

  @Test
  void maskRefusesAPatternThatDoesNotFit() {
    assertThrows(IndexOutOfBoundsException.class, () -> Fs4Magic.mask(new byte[20], 8));
  }

  private static void assertEquals(int expected, byte actual) {
    org.junit.jupiter.api.Assertions.assertEquals((byte) expected, actual);
  }
}
