package dev.kiln.inspector;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.inspector.format.Dwords;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A bounded, seeded mutation fuzz of parse + verify + summary: thousands of variants of a valid image, with
 * mutations aimed at the structures (pointers, entries, sizes) as well as random bytes. The only
 * acceptable outcomes are a result or an {@link ImageFormatException}; any other exception fails.
 * The run is deterministic (fixed seed) and takes a few seconds.
 */
class FuzzTest {
  private static final int ITERATIONS = 4000;

  /** Offsets worth hitting: HW pointers, tools area, BOOT2 header, ITOC, DTOC, section heads. */
  private static final int[] HOT =
      {0x10, 0x18, 0x20, 0x28, 0x30, 0x90, TestImages.TOOLS_AT, TestImages.TOOLS_AT + 4,
          TestImages.BOOT2_AT + 4, TestImages.TOC_AT, TestImages.TOC_AT + 0x20,
          TestImages.TOC_AT + 0x34, TestImages.TOC_AT + 0x40, TestImages.TOC_AT + 0x54,
          TestImages.TOC_AT + 0x80, TestImages.HASHES_AT + 0x10, 0x10000 - 0x1000 + 0x20,
          0x10000 - 0x1000 + 0x34, 0x10000 - 0x3000};

  @Test
  void mutatedImagesNeverThrowAnythingElse() {
    byte[] base = TestImages.valid(0x10000, true);
    Random random = new Random(0x5EED);
    int parsed = 0;
    for (int i = 0; i < ITERATIONS; i++) {
      byte[] image = mutate(base, random);
      try {
        Fs4Image parsedImage = ImageParser.parse(image, "fuzz-" + i);
        VerificationResult result = ImageVerifier.verify(parsedImage);
        result.findings().forEach(f -> assertTrue(f.message().length() < 400));
        ImageSummary.of(parsedImage);
        parsed++;
      } catch (ImageFormatException expected) {
        // not an image: acceptable
      } catch (RuntimeException | StackOverflowError e) {
        fail("iteration " + i + " threw " + e, e);
      }
    }
    assertTrue(parsed > ITERATIONS / 2, "most mutants should still parse: " + parsed);
  }

  private static byte[] mutate(byte[] base, Random random) {
    byte[] image = base.clone();
    int mutations = 1 + random.nextInt(4);
    for (int m = 0; m < mutations; m++) {
      switch (random.nextInt(6)) {
        case 0 -> image[random.nextInt(image.length)] ^= (byte) (1 << random.nextInt(8));
        case 1 -> { // a hot dword gets an interesting value
          int at = HOT[random.nextInt(HOT.length)] & ~3;
          int[] values = {0, -1, 0x7FFFFFFF, 0x80000000, image.length, image.length - 4,
              random.nextInt(), 0x3FFFFF << 2, 0xFF000000, 0x10FFFFFF};
          if (at + 4 <= image.length) {
            Dwords.put(image, at, values[random.nextInt(values.length)]);
          }
        }
        case 2 -> { // truncate (sometimes unaligned)
          int length = Math.max(16, random.nextInt(image.length));
          image = Arrays.copyOf(image, length);
        }
        case 3 -> { // grow with 0xFF
          int grow = 1 + random.nextInt(0x2000);
          int old = image.length;
          image = Arrays.copyOf(image, old + grow);
          Arrays.fill(image, old, image.length, (byte) 0xFF);
        }
        case 4 -> { // copy a block over another place (duplicates tables and entries)
          int from = random.nextInt(image.length);
          int to = random.nextInt(image.length);
          int length = Math.min(random.nextInt(0x200), Math.min(image.length - from,
              image.length - to));
          System.arraycopy(image, from, image, to, length);
        }
        default -> { // random dword anywhere
          if (image.length >= 4) {
            Dwords.put(image, random.nextInt(image.length - 3), random.nextInt());
          }
        }
      }
    }
    return image;
  }
}
