package dev.kiln.burner;

import dev.kiln.burner.progress.BurnProgress;

/**
 * A cancellation flag for one burn, set from another thread (a signal handler) and checked by the
 * burning thread at its checkpoints: every progress callback of {@link SecureDevice#burn} and
 * {@link SecureDevice#readBootImage} (each MCDA chunk and each step of the flow), through {@link
 * #checkpoints}. Once cancelled, the next checkpoint throws {@link BurnCancelledException} and the
 * session abandons the update the way mstflint does on abort (CANCEL, then
 * RELEASE_UPDATE_HANDLE: mstflint 4.21 fw_comps_mgr/fw_comps_mgr.cpp, FwCompsMgr::~FwCompsMgr).
 *
 * <p>A checkpoint never interrupts a register transaction: cancellation takes effect between two
 * of them, as mstflint defers a signal until the access in flight is done
 * (FwCompsMgr::deal_with_signal).
 */
public final class CancellationToken {
  private volatile String reason;

  /** Cancels; the first reason given is kept. */
  public synchronized void cancel(String why) {
    if (reason == null) {
      reason = why;
    }
  }

  public boolean isCancelled() {
    return reason != null;
  }

  /** The reason given to {@link #cancel}, or null. */
  public String reason() {
    return reason;
  }

  /** Throws {@link BurnCancelledException} when cancelled. */
  public void checkpoint() {
    String why = reason;
    if (why != null) {
      throw new BurnCancelledException(why);
    }
  }

  /** {@code display} with a checkpoint before each of its callbacks. */
  public BurnProgress checkpoints(BurnProgress display) {
    return new BurnProgress() {
      @Override
      public void step(String description) {
        checkpoint();
        display.step(description);
      }

      @Override
      public void written(long done, long total) {
        checkpoint();
        display.written(done, total);
      }

      @Override
      public void transferEnded() {
        // Also called on the failure path: never throws, or it would mask the first failure.
        display.transferEnded();
      }
    };
  }
}
