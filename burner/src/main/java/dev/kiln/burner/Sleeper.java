package dev.kiln.burner;

/**
 * How the host waits between polls and retries. Production code sleeps for real; tests inject a
 * sleeper that only counts, so retry and timeout paths run in microseconds.
 */
@FunctionalInterface
public interface Sleeper {
  /** Sleeps the real thread. */
  Sleeper REAL = Thread::sleep;

  /** Waits {@code millis} milliseconds (or pretends to). */
  void sleep(long millis) throws InterruptedException;
}
