package dev.kiln.inspector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.inspector.io.BoundedFiles;
import dev.kiln.inspector.io.MappedFileFaults;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two ways kiln reads a file (docs/input-limits.md): whole and bounded ({@link BoundedFiles}),
 * or mapped with a shrinking file reported as exit 3 ({@link MappedFileFaults}).
 */
class BoundedReadsTest {
  @TempDir Path dir;

  @Test
  void aFileLargerThanItsBoundIsRefusedBeforeAByteIsRead() throws IOException {
    Path huge = dir.resolve("huge.json");
    try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
      file.setLength(3L << 30); // a hole: no disk, and reading it would need 3 GiB of heap
    }
    assertEquals(
        huge + ": 3221225472 bytes is larger than the 1 MiB kiln accepts for a feed",
        assertThrows(IOException.class, () -> BoundedFiles.read(huge, 1 << 20, "a feed"))
            .getMessage());
  }

  @Test
  void devicesFifosAndDirectoriesAreRefusedWithoutOpeningThem() {
    assertEquals("/dev/zero: not a regular file",
        assertThrows(IOException.class, () -> BoundedFiles.read(Path.of("/dev/zero"), 16, "a key"))
            .getMessage());
    assertEquals(dir + ": is a directory, not a key",
        assertThrows(IOException.class, () -> BoundedFiles.read(dir, 16, "a key")).getMessage());
    assertEquals(dir.resolve("absent") + ": no such file",
        assertThrows(IOException.class, () -> BoundedFiles.read(dir.resolve("absent"), 16, "a key"))
            .getMessage());
  }

  @Test
  void aFileWithinItsBoundIsReadWhole() throws IOException {
    byte[] content = {1, 2, 3, 4};
    Path file = Files.write(dir.resolve("four"), content);
    assertArrayEquals(content, BoundedFiles.read(file, 4, "four bytes"));
  }

  @Test
  void anImageTruncatedAfterItWasMappedIsAnImageFormatException() throws IOException {
    Path file = Files.write(dir.resolve("image.bin"), TestImages.valid(1 << 20));
    ImageFormatException e =
        assertThrows(
            ImageFormatException.class,
            () ->
                MappedFileFaults.guard(
                    file,
                    () -> {
                      Fs4Image image = ImageParser.parse(file);
                      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                        raf.setLength(0); // another process truncates it
                      }
                      return ImageVerifier.verify(image);
                    }));
    assertEquals(
        file + ": the file shrank while kiln read it (another process truncated or rewrote it)",
        e.getMessage());
  }

  @Test
  void otherInternalErrorsAreNotMistakenForAShrunkFile() {
    InternalError other = new InternalError("something else");
    assertSame(other,
        assertThrows(InternalError.class,
            () -> MappedFileFaults.guard(dir, () -> {
              throw other;
            })));
  }
}
