package dev.kiln.burner.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The two progress displays with a fake clock: percent, MiB/s and time left. */
class ProgressDisplayTest {
  private static final long MIB = 1 << 20;

  @Test
  void linesAtEachTenthWithRateAndTimeLeft() {
    StringWriter text = new StringWriter();
    long[] now = {0};
    LineProgress progress = new LineProgress(new PrintWriter(text), () -> now[0]);
    progress.step("Locking the update handle");
    for (int i = 0; i <= 100; i++) {
      now[0] = i * 10_000_000L; // 10 ms per MiB -> 100 MiB/s
      progress.written(i * MIB, 100 * MIB);
    }
    progress.transferEnded();
    String[] lines = text.toString().split("\n");
    assertEquals("Locking the update handle ...", lines[0]);
    assertEquals(12, lines.length, text.toString());
    assertTrue(lines[6].startsWith("Writing:  50% (52428800 of 104857600 bytes, 100.0 MiB/s,"),
        lines[6]);
    assertTrue(lines[6].endsWith("0:01 left)"), lines[6]);
    assertTrue(lines[11].startsWith("Writing: 100%"), lines[11]);
  }

  @Test
  void barRedrawsInPlaceAtMostEveryHundredMilliseconds() {
    StringWriter text = new StringWriter();
    long[] now = {0};
    TerminalProgressBar bar = new TerminalProgressBar(new PrintWriter(text), () -> now[0]);
    for (int i = 0; i <= 1000; i++) {
      now[0] = i * 1_000_000L; // one chunk per ms, 1 s in all
      bar.written(i * 1024L, 1000 * 1024L);
    }
    bar.transferEnded();
    String out = text.toString();
    long redraws = out.chars().filter(c -> c == '\r').count();
    assertTrue(redraws >= 10 && redraws <= 12, "redraws: " + redraws);
    assertTrue(out.contains("] 100%"), out);
    assertTrue(out.contains("[" + "#".repeat(15) + "-".repeat(15) + "]  50%"), out);
    assertTrue(out.endsWith(System.lineSeparator()), "the bar ends its line");
  }
}
