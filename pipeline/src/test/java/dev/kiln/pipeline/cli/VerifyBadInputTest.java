package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln verify} and {@code kiln inspect} on inputs that are not images: exit 3 and exactly
 * one {@code kiln: ...} line naming the file, never a stack trace.
 */
class VerifyBadInputTest {
  @TempDir Path dir;

  record Run(int exitCode, String out, String err) {}

  static Run kiln(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KilnCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  private void assertOneLine(Run run, Path file, String reason) {
    assertEquals(3, run.exitCode(), run.err());
    String[] lines = run.err().strip().split("\n");
    assertEquals(1, lines.length, run.err());
    assertTrue(lines[0].startsWith("kiln: "), lines[0]);
    assertTrue(lines[0].contains(file.toString()), lines[0]);
    assertTrue(lines[0].contains(reason), lines[0]);
    assertFalse(run.err().contains("Exception"), run.err());
    assertFalse(run.err().contains("\tat "), run.err());
  }

  private Path[] badInputs() throws Exception {
    Path missing = dir.resolve("missing.bin");
    Path empty = Files.createFile(dir.resolve("empty.bin"));
    Path three = Files.write(dir.resolve("three.bin"), new byte[] {1, 2, 3});
    byte[] noise = new byte[1 << 16];
    new Random(3).nextBytes(noise);
    Path random = Files.write(dir.resolve("random.bin"), noise);
    Path huge = dir.resolve("huge.bin");
    try (RandomAccessFile raf = new RandomAccessFile(huge.toFile(), "rw")) {
      raf.setLength(4L << 30);
    }
    Path fifo = dir.resolve("fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    Path directory = Files.createDirectory(dir.resolve("a-directory"));
    return new Path[] {missing, empty, three, random, huge, fifo, directory};
  }

  private static final String[] REASONS = {
    "no such file", "too small", "too small", "no FS4 image signature", "larger than the 256 MiB",
    "not a regular file", "is a directory"
  };

  @Test
  void verifyGivesOneLineAndExitThreeForEachBadInput() throws Exception {
    Path[] inputs = badInputs();
    for (int i = 0; i < inputs.length; i++) {
      assertOneLine(kiln("verify", inputs[i].toString()), inputs[i], REASONS[i]);
    }
  }

  @Test
  void inspectGivesOneLineAndExitThreeForEachBadInput() throws Exception {
    Path[] inputs = badInputs();
    for (int i = 0; i < inputs.length; i++) {
      assertOneLine(kiln("inspect", "--json", inputs[i].toString()), inputs[i], REASONS[i]);
    }
  }

  @Test
  void verifyOfManyNamesEveryUnreadableInput() throws Exception {
    Path[] inputs = badInputs();
    String[] args = new String[inputs.length + 2];
    args[0] = "verify";
    args[1] = "--json";
    for (int i = 0; i < inputs.length; i++) {
      args[i + 2] = inputs[i].toString();
    }
    Run run = kiln(args);
    assertEquals(3, run.exitCode());
    assertEquals(inputs.length, run.err().strip().split("\n").length, run.err());
    assertTrue(run.out().contains("\"readable\" : false"), run.out());
  }

  @Test
  void missingArgumentIsAUsageError() {
    assertEquals(2, kiln("verify").exitCode());
    assertEquals(2, kiln("inspect").exitCode());
  }
}
