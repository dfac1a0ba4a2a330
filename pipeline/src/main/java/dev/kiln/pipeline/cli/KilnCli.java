package dev.kiln.pipeline.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code kiln} command. {@link #main} only exits with {@link #run}'s result so
 * tests can run every command in-process with captured output.
 */
@Command(
    name = "kiln",
    mixinStandardHelpOptions = true,
    versionProvider = KilnCli.Version.class,
    description = "Build, sign, inspect, pre-validate, bundle and burn ConnectX FS4 firmware images.",
    footerHeading = "%nExit codes:%n",
    footer = {
      "  0  ok",
      "  1  the input fails a check (the findings say why)",
      "  2  usage error",
      "  3  an input cannot be read (missing, unreadable, not an image)",
      "  4  key, HSM or KMS access error",
      "  5  device or transport error"
    })
public final class KilnCli implements Runnable {

  /**
   * Every subcommand, in the order {@code kiln --help} lists them. Each command is its own class;
   * adding one means adding it here.
   */
  static List<Object> subcommands() {
    return List.of(
        new BuildCommand(),
        new InspectCommand(),
        new VerifyCommand(),
        new DeviceCommand(),
        new QueryCommand(),
        new BurnCommand(),
        new SignCommand(),
        new SetPublicKeysCommand(),
        new SetForbiddenVersionsCommand(),
        new KeysCommand(),
        new CheckCommand(),
        new FeedCommand(),
        new BundleCommand(),
        new LogCommand(),
        new GateCommand(),
        new ReleaseCommand(),
        new DemoCommand(),
        new CommandLine.HelpCommand());
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command; see 'kiln --help'.");
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    int exitCode = run(out, err, args);
    out.flush();
    err.flush();
    System.exit(exitCode);
  }

  /** Runs one {@code kiln} invocation and returns its exit code; never throws, never exits. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return newCommandLine(out, err).execute(args);
  }

  static CommandLine newCommandLine(PrintWriter out, PrintWriter err) {
    CommandLine commandLine = new CommandLine(new KilnCli());
    for (Object subcommand : subcommands()) {
      commandLine.addSubcommand(subcommand);
    }
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExitCodeExceptionMapper(ExitCodes::forException);
    commandLine.setExecutionExceptionHandler(
        (failure, cmd, parseResult) -> {
          // One clear line, never a stack trace: the message is written for the user.
          String message = failure.getMessage();
          if (message == null || message.isBlank()) {
            message = failure.getClass().getSimpleName();
          }
          cmd.getErr().println("kiln: " + message);
          return ExitCodes.forException(failure);
        });
    commandLine.setParameterExceptionHandler(
        (failure, args) -> {
          CommandLine cmd = failure.getCommandLine();
          cmd.getErr().println("kiln: " + failure.getMessage());
          cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
          return ExitCodes.USAGE;
        });
    return commandLine;
  }

  /** Reads the version Maven wrote into the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = KilnCli.class.getPackage().getImplementationVersion();
      return new String[] {"kiln " + (version == null ? "development build" : version)};
    }
  }
}
