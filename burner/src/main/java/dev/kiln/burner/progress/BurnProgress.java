package dev.kiln.burner.progress;

/**
 * Receives what a burn is doing, for display. Implementations must be cheap: {@link #written} is
 * called once per MCDA chunk. All methods are called from the burning thread.
 */
public interface BurnProgress {
  /** Shows nothing. */
  BurnProgress SILENT = new BurnProgress() {};

  /** A step of the flow starts, e.g. "Locking the update handle". */
  default void step(String description) {}

  /** {@code done} of {@code total} component bytes are on the device. */
  default void written(long done, long total) {}

  /** The transfer is over (successfully or not); a bar finishes its line. */
  default void transferEnded() {}
}
