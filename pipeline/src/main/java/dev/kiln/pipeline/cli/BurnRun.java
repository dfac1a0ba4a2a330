package dev.kiln.pipeline.cli;

import dev.kiln.burner.BurnCancelledException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * Runs one {@code kiln burn} with its {@link BurnAttempt} (one log record per attempt, whatever
 * ends it) and its {@link BurnInterruption} (SIGINT/SIGTERM cancel and release the handle).
 */
final class BurnRun {
  /** Exit code of a burn stopped by SIGINT (128 + 2, as shells report it). */
  static final int INTERRUPTED = 130;

  private BurnRun() {}

  static Integer run(BurnCommand command, Callable<Integer> burn) throws Exception {
    PrintWriter err = command.spec.commandLine().getErr();
    String device = command.device.uri().text();
    BurnAttempt attempt = BurnAttempt.start(command.burnLog, command.logKey, device, err);
    BurnInterruption installed;
    try {
      installed = BurnInterruption.install(err, attempt, device);
    } catch (IllegalStateException shuttingDown) {
      // The signal came before the hook could be installed: the JVM is already stopping.
      String message = "interrupted: nothing was written to " + device;
      attempt.record(null, "interrupted", "interrupted before anything was written to the device");
      err.println("kiln: " + message);
      err.flush();
      return INTERRUPTED;
    }
    try (BurnInterruption interruption = installed) {
      command.attempt = attempt;
      command.interruption = interruption;
      try {
        int exitCode = burn.call();
        if (interruption.token().isCancelled()) {
          err.println("kiln: the signal came after the image was activated: the burn completed");
        }
        return exitCode;
      } catch (BurnCancelledException e) {
        String message =
            "pldm".equals(command.via)
                ? device + ": interrupted: the update was cancelled (CancelUpdateComponent,"
                    + " CancelUpdate) and the device left update mode; it keeps the image it had"
                : device + ": interrupted: the burn was cancelled and the update handle released;"
                    + " the device keeps the image it had";
        attempt.record(null, "interrupted", message);
        // Printed here, not by the caller: once the hook sees finished() the JVM may halt.
        err.println("kiln: " + message);
        err.flush();
        return INTERRUPTED;
      } catch (picocli.CommandLine.ParameterException e) {
        // A usage error is not an attempted burn.
        throw e;
      } catch (CommandFailure e) {
        attempt.record(
            null, e.exitCode() == ExitCodes.CHECK_FAILED ? "refused" : "failed", e.getMessage());
        throw e;
      } catch (Exception e) {
        attempt.record(
            null, "failed", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        throw e;
      } finally {
        command.attempt = BurnAttempt.NONE;
        command.interruption = BurnInterruption.none();
        if (!interruption.token().isCancelled()) {
          // (After a signal the hook may still need the key for its record; the JVM ends anyway.)
          attempt.close();
        }
      }
    }
  }
}
