package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.build.ReservedSection;
import dev.kiln.inspector.section.DeviceType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded, seeded fuzz of the two commands end to end: mutated writer images through {@code
 * kiln verify} and {@code kiln inspect --json}, as the program runs them (plain command lines take
 * the picocli-free path). The parser itself gets thousands of mutants in the inspector's FuzzTest.
 * Every run must end with exit 0, 1 or 3, never print a stack trace, and an exit 3 must come with
 * exactly one {@code kiln:} line.
 */
class VerifyFuzzTest {
  private static final int ITERATIONS = 600;

  @TempDir Path dir;

  @Test
  void mutatedImagesGiveCleanResults() throws Exception {
    Path base = dir.resolve("base.bin");
    ImageWriter.write(InspectMstflintTest.base(DeviceType.CX7, "28.40.1000", 64 * 1024)
        .hashesTable(true)
        .reserve(ReservedSection.values())
        .build(), base, true);
    byte[] original = Files.readAllBytes(base);
    Random random = new Random(20261125L);
    Path file = dir.resolve("mutant.bin");
    int[] exits = new int[4];
    for (int i = 0; i < ITERATIONS; i++) {
      byte[] mutant = mutate(original, random);
      Files.write(file, mutant);
      String[] args = i % 2 == 0
          ? new String[] {"verify", file.toString()}
          : new String[] {"inspect", "--json", "--toc", "--boot", file.toString()};
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = KilnCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
      String context = "iteration " + i + ": " + err;
      assertTrue(code == 0 || code == 1 || code == 3, context);
      assertFalse(err.toString().contains("\tat "), context);
      assertFalse(err.toString().contains("Exception"), context);
      if (code == 3) {
        assertEquals(1, err.toString().strip().split("\n").length, context);
        assertTrue(err.toString().startsWith("kiln: "), context);
      }
      exits[code]++;
    }
    assertTrue(exits[1] > ITERATIONS / 4, Arrays.toString(exits));
  }

  private static byte[] mutate(byte[] original, Random random) {
    byte[] image = original.clone();
    ByteBuffer view = ByteBuffer.wrap(image);
    for (int m = 0, n = 1 + random.nextInt(3); m < n; m++) {
      switch (random.nextInt(5)) {
        case 0 -> image[random.nextInt(image.length)] ^= (byte) (1 << random.nextInt(8));
        case 1 -> { // structure-heavy start of the file: pointers, tools, BOOT2 header
          int at = random.nextInt(0x3000) & ~3;
          if (at + 4 <= image.length) {
            view.putInt(at, random.nextBoolean() ? random.nextInt() : 0xFFFFFFFF);
          }
        }
        case 2 -> { // the DTOC and device data at the end
          int at = image.length - 1 - random.nextInt(Math.min(0x4000, image.length));
          image[at] = (byte) random.nextInt(256);
        }
        case 3 -> image = Arrays.copyOf(image, 16 + random.nextInt(image.length));
        default -> {
          if (image.length >= 4) {
            view.putInt(random.nextInt(image.length - 3), random.nextInt());
          }
        }
      }
      view = ByteBuffer.wrap(image);
    }
    return image;
  }
}
