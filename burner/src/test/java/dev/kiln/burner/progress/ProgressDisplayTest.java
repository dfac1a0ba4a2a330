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
    TerminalProgressBar bar = new TerminalProgressBar(new PrintWriter(text), 80, () -> now[0]);
    for (int i = 0; i <= 1000; i++) {
      now[0] = i * 1_000_000L; // one chunk per ms, 1 s in all
      bar.written(i * 1024L, 1000 * 1024L);
    }
    bar.transferEnded();
    String out = text.toString();
    long redraws = out.chars().filter(c -> c == '\r').count();
    assertTrue(redraws >= 10 && redraws <= 12, "redraws: " + redraws);
    assertTrue(out.contains("] 100%"), out);
    // 80 columns: a 79-character line, 39 of them the bar.
    assertTrue(out.contains("[" + "#".repeat(19) + "-".repeat(20) + "]  50%"), out);
    assertTrue(out.endsWith(System.lineSeparator()), "the bar ends its line");
  }

  @Test
  void barFitsEveryTerminalWidthAndNeverWraps() {
    for (int columns = 1; columns <= 200; columns++) {
      StringWriter text = new StringWriter();
      long[] now = {0};
      TerminalProgressBar bar = new TerminalProgressBar(new PrintWriter(text), columns, () -> now[0]);
      for (int i = 0; i <= 100; i++) {
        now[0] = i * 200_000_000L; // every chunk redraws
        bar.written(i * MIB, 100 * MIB);
      }
      bar.transferEnded();
      String[] draws = text.toString().replace(System.lineSeparator(), "").split("\r");
      assertEquals(102, draws.length, "columns " + columns);
      for (int i = 1; i < draws.length; i++) {
        assertEquals(Math.max(4, columns - 1), draws[i].length(), columns + ": " + draws[i]);
      }
      assertTrue(draws[101].contains("100%"), columns + ": " + draws[101]);
    }
  }

  @Test
  void aFortyColumnBarKeepsPercentAndTimeLeftAndDropsTheRate() {
    TerminalProgressBar bar = new TerminalProgressBar(new PrintWriter(new StringWriter()), 40);
    String line = bar.line(50, 23.1, "0:02");
    assertEquals("Writing [######-------]  50%  0:02 left", line);
    assertEquals(39, line.length());
    String wide = new TerminalProgressBar(new PrintWriter(new StringWriter()), 120)
        .line(50, 23.1, "0:02");
    assertTrue(wide.contains("  50%    23.1 MiB/s  0:02 left"), wide);
  }

  @Test
  void columnsComeFromAPositiveColumnsVariable() {
    assertEquals(40, ProgressDisplays.columns(java.util.Map.of("COLUMNS", "40")).getAsInt());
    assertTrue(ProgressDisplays.columns(java.util.Map.of("COLUMNS", "0")).isEmpty());
    assertTrue(ProgressDisplays.columns(java.util.Map.of("COLUMNS", "wide")).isEmpty());
    assertTrue(ProgressDisplays.columns(java.util.Map.of()).isEmpty());
  }
}
