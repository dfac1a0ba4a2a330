package dev.kiln.burner.progress;

import java.util.Locale;

/** Shared arithmetic of the progress displays: rate, remaining time, and their rendering. */
final class ProgressFormat {
  private ProgressFormat() {}

  static final double MIB = 1024.0 * 1024.0;

  /** MiB per second from bytes and elapsed nanoseconds; 0 before any time has passed. */
  static double mibPerSecond(long bytes, long elapsedNanos) {
    if (elapsedNanos <= 0) {
      return 0;
    }
    return bytes / MIB / (elapsedNanos / 1e9);
  }

  /** Seconds left at the current rate, or -1 when unknown. */
  static long secondsLeft(long done, long total, long elapsedNanos) {
    if (done <= 0 || elapsedNanos <= 0) {
      return -1;
    }
    double perByte = elapsedNanos / 1e9 / done;
    return Math.round((total - done) * perByte);
  }

  /** {@code m:ss}, or {@code --:--} when unknown. */
  static String clock(long seconds) {
    if (seconds < 0) {
      return "--:--";
    }
    return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
  }

  static int percent(long done, long total) {
    return total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
  }
}
