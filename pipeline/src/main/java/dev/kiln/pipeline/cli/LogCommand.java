package dev.kiln.pipeline.cli;

import dev.kiln.pipeline.burnlog.BurnLog;
import dev.kiln.pipeline.burnlog.LogKey;
import dev.kiln.signer.KeyAccessException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kiln log verify LOG}: checks the hash chain of an operators' burn log. */
@Command(
    name = "log",
    mixinStandardHelpOptions = true,
    description = "Operators' burn log.",
    subcommands = {LogCommand.Verify.class})
public final class LogCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: verify");
  }

  /** {@code kiln log verify}. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Verify a burn log's hash chain and head.",
        "Prints which guarantee it checked: the unkeyed or the keyed chain.",
        "Exit 0 when intact, 1 when a record was edited, removed or inserted (the line is"
            + " named) or the head file is missing (a log cut short would look complete)."
      })
  static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LOG") Path log;

    @Option(
        names = "--log-key",
        paramLabel = "KEY",
        description =
            "The HMAC key the log was written with (kiln burn --log-key): a file or a pkcs11:"
                + " secret-key object.")
    String logKey;

    @Option(
        names = "--allow-missing-head",
        description = "Check a log whose head file is gone (its completeness is then unchecked).")
    boolean allowMissingHead;

    @Override
    public Integer call() throws IOException, KeyAccessException {
      SignCommand.requireReadable(log);
      BurnLog.Verification verification;
      LogKey key = BurnAttempt.openKey(logKey);
      try {
        verification = new BurnLog(log, key).verify(allowMissingHead);
      } finally {
        if (key != null) {
          key.close();
        }
      }
      if (!verification.intact()) {
        String where = verification.line() > 0 ? ": line " + verification.line() : "";
        throw new CommandFailure(
            ExitCodes.CHECK_FAILED, log + where + ": " + verification.message());
      }
      spec.commandLine().getOut().printf(
          "%s: intact, %d record(s)%n", log, verification.records().size());
      spec.commandLine().getOut().println("checked: " + verification.guarantee());
      verification.note().ifPresent(note -> spec.commandLine().getOut().println("note: " + note));
      return ExitCodes.OK;
    }
  }
}
