package dev.kiln.burner.progress;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress as plain lines, for logs and pipes: one line per step and one per 10% of the transfer,
 * each with the rate so far and the time left.
 */
public final class LineProgress implements BurnProgress {
  private final PrintWriter out;
  private final LongSupplier nanoClock;
  private long start = -1;
  private int lastDecile = -1;

  public LineProgress(PrintWriter out, LongSupplier nanoClock) {
    this.out = out;
    this.nanoClock = nanoClock;
  }

  public LineProgress(PrintWriter out) {
    this(out, System::nanoTime);
  }

  @Override
  public void step(String description) {
    out.println(description + " ...");
    out.flush();
  }

  @Override
  public void written(long done, long total) {
    long now = nanoClock.getAsLong();
    if (start < 0) {
      start = now;
      lastDecile = -1;
    }
    int percent = ProgressFormat.percent(done, total);
    int decile = percent / 10;
    if (decile == lastDecile) {
      return;
    }
    lastDecile = decile;
    long elapsed = now - start;
    out.println(
        String.format(
            Locale.ROOT,
            "Writing: %3d%% (%d of %d bytes, %.1f MiB/s, %s left)",
            percent,
            done,
            total,
            ProgressFormat.mibPerSecond(done, elapsed),
            ProgressFormat.clock(ProgressFormat.secondsLeft(done, total, elapsed))));
    out.flush();
  }

  @Override
  public void transferEnded() {
    start = -1;
  }
}
