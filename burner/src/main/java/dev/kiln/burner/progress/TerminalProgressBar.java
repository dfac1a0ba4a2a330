package dev.kiln.burner.progress;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar for an interactive terminal, redrawn in place with a carriage return
 * and always exactly one column narrower than the terminal (so it never wraps, and a shorter
 * redraw leaves nothing of a longer one behind):
 *
 * <pre>
 * Writing [##########----------]  50%   23.1 MiB/s  0:02 left
 * </pre>
 *
 * <p>The bar takes what the text leaves of the width; on a narrow terminal the rate goes first,
 * then the bar, and below {@value #MIN_COLUMNS_FOR_TEXT} columns only the percentage is drawn.
 * Redraws at most every 100 ms (and at 100%), so a fast transfer does not spend its time
 * printing. {@link ProgressDisplays} picks it only when the output is a terminal.
 */
public final class TerminalProgressBar implements BurnProgress {
  /** The width when nothing says otherwise (the classic terminal). */
  public static final int DEFAULT_COLUMNS = 80;

  private static final int MIN_BAR = 10;
  private static final int MIN_COLUMNS_FOR_TEXT = 16;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter out;
  private final LongSupplier nanoClock;
  private final int width;
  private long start = -1;
  private long lastDraw;
  private boolean drawn;
  private boolean lineOpen;

  /**
   * @param columns the terminal's width in columns; the drawn line is one column narrower
   */
  public TerminalProgressBar(PrintWriter out, int columns, LongSupplier nanoClock) {
    this.out = out;
    this.nanoClock = nanoClock;
    this.width = Math.max(4, columns - 1);
  }

  public TerminalProgressBar(PrintWriter out, int columns) {
    this(out, columns, System::nanoTime);
  }

  @Override
  public void step(String description) {
    endLine();
    out.println(description + " ...");
    out.flush();
  }

  @Override
  public void written(long done, long total) {
    long now = nanoClock.getAsLong();
    if (start < 0) {
      start = now;
    }
    if (done < total && drawn && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    drawn = true;
    lastDraw = now;
    long elapsed = now - start;
    String line =
        line(
            ProgressFormat.percent(done, total),
            ProgressFormat.mibPerSecond(done, elapsed),
            ProgressFormat.clock(ProgressFormat.secondsLeft(done, total, elapsed)));
    out.print("\r" + line);
    out.flush();
    lineOpen = true;
  }

  /** The line for one redraw, exactly {@link #width} characters. */
  String line(int percent, double mibPerSecond, String left) {
    String percentText = String.format(Locale.ROOT, "%3d%%", percent);
    String rate = String.format(Locale.ROOT, "  %6.1f MiB/s", mibPerSecond);
    String time = "  " + left + " left";
    String text;
    if (width < MIN_COLUMNS_FOR_TEXT) {
      text = percentText;
    } else if (width >= "Writing [] ".length() + MIN_BAR + percentText.length() + rate.length()
        + time.length()) {
      text = bar("Writing ", percentText + rate + time, percent);
    } else if (width >= "Writing [] ".length() + MIN_BAR + percentText.length()
        + time.length()) {
      text = bar("Writing ", percentText + time, percent);
    } else {
      text = "Writing " + percentText + time;
    }
    if (text.length() > width) {
      text = text.substring(0, width);
    }
    return text + " ".repeat(width - text.length());
  }

  private String bar(String head, String tail, int percent) {
    int barWidth = width - head.length() - "[] ".length() - tail.length();
    int filled = percent * barWidth / 100;
    return head + "[" + "#".repeat(filled) + "-".repeat(barWidth - filled) + "] " + tail;
  }

  @Override
  public void transferEnded() {
    endLine();
  }

  private void endLine() {
    drawn = false;
    start = -1;
    if (lineOpen) {
      out.println();
      out.flush();
      lineOpen = false;
    }
  }
}
