package dev.kiln.pipeline.cli;

import dev.kiln.pipeline.burnlog.BurnLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
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
        "Exit 0 when intact, 1 when a record was edited, removed or inserted (the line is"
            + " named)."
      })
  static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LOG") Path log;

    @Override
    public Integer call() throws IOException {
      SignCommand.requireReadable(log);
      BurnLog.Verification verification = new BurnLog(log).verify();
      if (!verification.intact()) {
        String where = verification.line() > 0 ? ": line " + verification.line() : "";
        throw new CommandFailure(
            ExitCodes.CHECK_FAILED, log + where + ": " + verification.message());
      }
      spec.commandLine().getOut().printf(
          "%s: intact, %d record(s)%n", log, verification.records().size());
      verification.note().ifPresent(note -> spec.commandLine().getOut().println("note: " + note));
      return ExitCodes.OK;
    }
  }
}
