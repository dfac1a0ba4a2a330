package dev.kiln.emulator;

/**
 * Thrown by a {@link FaultInjector} to cut the power of an in-process device at a {@link
 * FaultPoint}. The device is dead afterwards; open its directory again to power it on.
 */
public final class PowerLossException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final FaultPoint point;

  public PowerLossException(FaultPoint point) {
    super("power lost at " + point);
    this.point = point;
  }

  public FaultPoint point() {
    return point;
  }
}
