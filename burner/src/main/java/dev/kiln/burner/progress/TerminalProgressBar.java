package dev.kiln.burner.progress;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar for an interactive terminal, redrawn in place with a carriage return:
 *
 * <pre>
 * Writing [##########----------]  50%   23.1 MiB/s  0:02 left
 * </pre>
 *
 * <p>Redraws at most every 100 ms (and at 100%), so a fast transfer does not spend its time
 * printing. Use it only when {@code System.console()} is not null; otherwise {@link LineProgress}.
 */
public final class TerminalProgressBar implements BurnProgress {
  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter out;
  private final LongSupplier nanoClock;
  private long start = -1;
  private long lastDraw;
  private boolean drawn;
  private boolean lineOpen;

  public TerminalProgressBar(PrintWriter out, LongSupplier nanoClock) {
    this.out = out;
    this.nanoClock = nanoClock;
  }

  public TerminalProgressBar(PrintWriter out) {
    this(out, System::nanoTime);
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
    int percent = ProgressFormat.percent(done, total);
    int filled = percent * WIDTH / 100;
    long elapsed = now - start;
    String line =
        String.format(
            Locale.ROOT,
            "\rWriting [%s%s] %3d%%  %6.1f MiB/s  %s left ",
            "#".repeat(filled),
            "-".repeat(WIDTH - filled),
            percent,
            ProgressFormat.mibPerSecond(done, elapsed),
            ProgressFormat.clock(ProgressFormat.secondsLeft(done, total, elapsed)));
    out.print(line);
    out.flush();
    lineOpen = true;
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
