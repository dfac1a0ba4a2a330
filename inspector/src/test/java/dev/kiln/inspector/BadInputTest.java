package dev.kiln.inspector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inputs that are not images, or barely: each gives one clear exception or findings. */
class BadInputTest {
  @TempDir Path dir;

  private static Fs4Image parse(Path path) throws IOException {
    return ImageParser.parse(path);
  }

  @Test
  void missingFile() {
    Path file = dir.resolve("absent.bin");
    ImageFormatException e = assertThrows(ImageFormatException.class, () -> parse(file));
    assertEquals(file + ": no such file", e.getMessage());
  }

  @Test
  void readFileRefusesWhatParseRefusesAndReadsTheRestWhole() throws IOException {
    Path absent = dir.resolve("absent.bin");
    assertEquals(
        absent + ": no such file",
        assertThrows(ImageFormatException.class, () -> ImageParser.readFile(absent))
            .getMessage());
    assertEquals(
        dir + ": is a directory, not an image file",
        assertThrows(ImageFormatException.class, () -> ImageParser.readFile(dir)).getMessage());
    Path empty = Files.createFile(dir.resolve("empty.bin"));
    assertEquals(
        empty + ": 0 bytes is too small to be an FS4 image",
        assertThrows(ImageFormatException.class, () -> ImageParser.readFile(empty))
            .getMessage());
    byte[] content = new byte[70_000];
    new java.util.Random(7).nextBytes(content);
    Path file = dir.resolve("bytes.bin");
    Files.write(file, content);
    org.junit.jupiter.api.Assertions.assertArrayEquals(content, ImageParser.readFile(file));
  }

  @Test
  void emptyFile() throws IOException {
    Path file = Files.createFile(dir.resolve("empty.bin"));
    ImageFormatException e = assertThrows(ImageFormatException.class, () -> parse(file));
    assertEquals(file + ": 0 bytes is too small to be an FS4 image", e.getMessage());
  }

  @Test
  void threeByteFile() throws IOException {
    Path file = Files.write(dir.resolve("three.bin"), new byte[] {'M', 'T', 'F'});
    ImageFormatException e = assertThrows(ImageFormatException.class, () -> parse(file));
    assertEquals(file + ": 3 bytes is too small to be an FS4 image", e.getMessage());
  }

  @Test
  void directory() {
    ImageFormatException e = assertThrows(ImageFormatException.class, () -> parse(dir));
    assertEquals(dir + ": is a directory, not an image file", e.getMessage());
  }

  /**
   * Tests run as root, for whom mode 000 does not deny reading; a FIFO is the unreadable file we
   * can make. Opening it would block forever, so the parser must refuse it before opening.
   */
  @Test
  void fifoIsRefusedWithoutBlocking() throws Exception {
    Path fifo = dir.resolve("fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertEquals(0, mkfifo.waitFor());
    ImageFormatException e = assertThrows(ImageFormatException.class, () -> parse(fifo));
    assertEquals(fifo + ": not a regular file", e.getMessage());
  }

  @Test
  void randomBytes() throws IOException {
    byte[] bytes = new byte[1 << 16];
    new Random(1).nextBytes(bytes);
    Path file = Files.write(dir.resolve("random.bin"), bytes);
    ImageFormatException e = assertThrows(ImageFormatException.class, () -> parse(file));
    assertTrue(e.getMessage().endsWith("no FS4 image signature at any offset mstflint searches"));
  }

  @Test
  void sparseFourGibFileIsRejectedBySizeWithoutReading() throws IOException {
    Path file = dir.resolve("huge.bin");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(4L << 30);
    }
    ImageFormatException e = assertThrows(ImageFormatException.class, () -> parse(file));
    assertEquals(
        file + ": 4294967296 bytes is larger than the 256 MiB kiln accepts for an image",
        e.getMessage());
  }

  @Test
  void magicOnlyFileEndsInsideTheBootArea() throws IOException {
    byte[] image = java.util.Arrays.copyOf(TestImages.valid(), 0x40);
    Path file = Files.write(dir.resolve("short.bin"), image);
    ImageFormatException e = assertThrows(ImageFormatException.class, () -> parse(file));
    assertTrue(e.getMessage().contains("ends inside the boot area"), e.getMessage());
  }

  @Test
  void bootAreaOnlyGivesFindingsNotExceptions() throws IOException {
    byte[] image = java.util.Arrays.copyOf(TestImages.valid(), 0x100);
    Fs4Image parsed = ImageParser.parse(image, "boot-only");
    VerificationResult result = ImageVerifier.verify(parsed);
    assertFalse(result.passed());
    assertTrue(result.has(FindingCode.ITOC_NOT_FOUND));
    assertTrue(result.has(FindingCode.BOOT2_OUT_OF_BOUNDS));
    assertTrue(result.has(FindingCode.DTOC_HEADER));
  }
}
