package dev.kiln.emulator;

/**
 * Test hook called at every {@link FaultPoint}. An injector simulates power loss by throwing
 * {@link PowerLossException} (in-process) or halting the JVM (daemon): the device then stops at
 * exactly that instant, and reopening the directory is the next power-on.
 */
@FunctionalInterface
public interface FaultInjector {
  /** No faults. */
  FaultInjector NONE = point -> {};

  /** Called when the device reaches {@code point}. */
  void reached(FaultPoint point);

  /** An injector that cuts the power the {@code n}-th time (1-based) {@code point} is reached. */
  static FaultInjector powerLossAt(FaultPoint point, int n) {
    int[] seen = {0};
    return reachedPoint -> {
      if (reachedPoint == point && ++seen[0] == n) {
        throw new PowerLossException(point);
      }
    };
  }

  /** An injector that halts the whole JVM at {@code point} (daemon power-loss tests). */
  static FaultInjector haltAt(FaultPoint point) {
    return reachedPoint -> {
      if (reachedPoint == point) {
        Runtime.getRuntime().halt(137);
      }
    };
  }
}
