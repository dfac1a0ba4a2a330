package dev.kiln.emulator;

import java.time.Duration;

/**
 * What the daemon ({@link DeviceServer}) lets its peers hold, so that no number of connections,
 * stalls or frame sizes can exhaust it (docs/emulator.md, "Limits").
 *
 * @param maxClients authenticated connections served at once; one more is answered {@code KERR}
 *     and closed
 * @param maxUnauthenticated connections still to present the token; when full, the oldest of them
 *     is closed to admit a new one (a flood of silent connections only displaces itself)
 * @param authTimeout how long a new connection has to present the token
 * @param readTimeout how long an authenticated connection may stay silent (between frames or
 *     inside one) before it is closed; a lock it holds is then released
 */
public record DaemonLimits(
    int maxClients, int maxUnauthenticated, Duration authTimeout, Duration readTimeout) {
  /** Defaults of {@code kiln device serve}. */
  public static final DaemonLimits DEFAULTS =
      new DaemonLimits(64, 1024, Duration.ofSeconds(10), Duration.ofSeconds(300));

  public DaemonLimits {
    if (maxClients < 1 || maxUnauthenticated < 1) {
      throw new IllegalArgumentException("connection limits must be at least 1");
    }
    if (authTimeout.isNegative() || authTimeout.isZero()
        || readTimeout.isNegative() || readTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }

  public DaemonLimits withMaxClients(int value) {
    return new DaemonLimits(value, maxUnauthenticated, authTimeout, readTimeout);
  }

  public DaemonLimits withMaxUnauthenticated(int value) {
    return new DaemonLimits(maxClients, value, authTimeout, readTimeout);
  }

  public DaemonLimits withAuthTimeout(Duration value) {
    return new DaemonLimits(maxClients, maxUnauthenticated, value, readTimeout);
  }

  public DaemonLimits withReadTimeout(Duration value) {
    return new DaemonLimits(maxClients, maxUnauthenticated, authTimeout, value);
  }

  /** Timeouts as socket timeouts (milliseconds, at least 1, at most Integer.MAX_VALUE). */
  static int millis(Duration duration) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, duration.toMillis()));
  }
}
