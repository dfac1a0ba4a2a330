package dev.kiln.pipeline.cli;

import dev.kiln.burner.CancellationToken;
import dev.kiln.burner.progress.BurnProgress;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What SIGINT (Ctrl-C) and SIGTERM do to a {@code kiln burn}: a JVM shutdown hook, installed for
 * the length of the command, cancels the burn's {@link CancellationToken}.
 *
 * <ul>
 *   <li>Before the burn reached the device's update handle (query, pre-check, confirmation), the
 *       hook records the attempt as {@code interrupted}, says that nothing was written, and lets
 *       the process end (exit 130 for SIGINT, 143 for SIGTERM, as the JVM sets them).
 *   <li>Once the burn started ({@link #guard}'s first step), or while the pre-check reads the
 *       running image back ({@link #readBack} to {@link #readBackDone}), the hook waits, at most {@link
 *       #RELEASE_WAIT_SECONDS}, for the burning thread: at its next checkpoint (between two
 *       register transactions) the session sends CANCEL and RELEASE_UPDATE_HANDLE, as mstflint
 *       does when it stops a burn (mstflint 4.21 fw_comps_mgr/fw_comps_mgr.cpp,
 *       FwCompsMgr::~FwCompsMgr), and the command reports and records that, then calls {@link
 *       #finished}. If the wait runs out (a device that does not answer), the hook says the handle
 *       may still be held and how to free it ({@code kiln device release}).
 * </ul>
 *
 * <p>A shutdown hook rather than a signal handler: the JDK's handler API is internal, and the hook
 * sees both signals the same way.
 */
final class BurnInterruption implements AutoCloseable {
  /** How long the hook waits for the cancel and release to be done. */
  static final long RELEASE_WAIT_SECONDS = 20;

  private final CancellationToken token = new CancellationToken();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final PrintWriter err;
  private final BurnAttempt attempt;
  private final String device;
  private final Thread hook;
  private boolean burning;

  private BurnInterruption(PrintWriter err, BurnAttempt attempt, String device, boolean install) {
    this.err = err;
    this.attempt = attempt;
    this.device = device;
    this.hook = install ? new Thread(this::interrupted, "kiln-burn-interrupt") : null;
    if (hook != null) {
      Runtime.getRuntime().addShutdownHook(hook);
    }
  }

  /** Installs the hook for one burn. */
  static BurnInterruption install(PrintWriter err, BurnAttempt attempt, String device) {
    return new BurnInterruption(err, attempt, device, true);
  }

  /** No hook (the default of a command not run through {@link BurnRun}). */
  static BurnInterruption none() {
    return new BurnInterruption(null, BurnAttempt.NONE, "", false);
  }

  /** The token the burn checks. */
  CancellationToken token() {
    return token;
  }

  /**
   * {@code display} with cancellation checkpoints; its first callback (the burn's first step,
   * before LOCK) marks the burn as started, or throws when the process is already stopping.
   */
  BurnProgress guard(BurnProgress display) {
    BurnProgress checked = token.checkpoints(display);
    return new BurnProgress() {
      @Override
      public void step(String description) {
        started();
        checked.step(description);
      }

      @Override
      public void written(long done, long total) {
        started();
        checked.written(done, total);
      }

      @Override
      public void transferEnded() {
        checked.transferEnded();
      }
    };
  }

  /**
   * Checkpoints for the pre-check's read-back of the running image: from its first chunk until
   * {@link #readBackDone} the device's handle is held, and the hook waits as during a burn.
   */
  BurnProgress readBack() {
    return new BurnProgress() {
      @Override
      public void written(long done, long total) {
        started();
      }
    };
  }

  /** The read-back released the handle: a signal now ends the command at once again. */
  synchronized void readBackDone() {
    burning = false;
    token.checkpoint(); // a signal during the read-back: report it as an interrupted burn
  }

  private synchronized void started() {
    token.checkpoint();
    burning = true;
  }

  /** The command has reported and recorded its outcome; the hook may let the process end. */
  void finished() {
    finished.countDown();
  }

  private void interrupted() {
    boolean wait;
    synchronized (this) {
      token.cancel("interrupted by a signal");
      wait = burning;
    }
    if (!wait) {
      attempt.record(null, "interrupted", "interrupted before anything was written to the device");
      err.println("kiln: interrupted: nothing was written to " + device);
      err.flush();
      return;
    }
    try {
      if (finished.await(RELEASE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String message =
        "interrupted: the device did not confirm the release within " + RELEASE_WAIT_SECONDS
            + " s; the update handle may still be held: run 'kiln device release --device "
            + device + "'";
    attempt.record(null, "interrupted", message);
    err.println("kiln: " + message);
    err.flush();
  }

  @Override
  public void close() {
    finished();
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // The JVM is shutting down: the hook is running or has run.
      }
    }
  }
}
