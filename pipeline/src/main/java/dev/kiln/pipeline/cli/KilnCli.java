package dev.kiln.pipeline.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code kiln} command line as picocli models it: every subcommand, help, usage errors. The
 * program's entry point is {@link Kiln}; {@link #run} runs a command in-process with captured
 * output, the way tests and {@code kiln demo} do.
 */
@Command(
    name = "kiln",
    mixinStandardHelpOptions = true,
    versionProvider = KilnCli.Version.class,
    description = "Build, sign, check, bundle and burn ConnectX FS4 firmware images.",
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
   * Every subcommand type, in the order {@code kiln --help} lists them. Each command is its own
   * class; adding one means adding it here.
   */
  static List<Class<?>> subcommandTypes() {
    return List.of(
        BuildCommand.class,
        InspectCommand.class,
        VerifyCommand.class,
        DeviceCommand.class,
        DevicesCommand.class,
        QueryCommand.class,
        BurnCommand.class,
        UpdateCommand.class,
        SignCommand.class,
        SetPublicKeysCommand.class,
        SetForbiddenVersionsCommand.class,
        KeysCommand.class,
        CheckCommand.class,
        FeedCommand.class,
        BundleCommand.class,
        LogCommand.class,
        GateCommand.class,
        ReleaseCommand.class,
        DemoCommand.class);
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command; see 'kiln --help'.");
  }

  /**
   * Runs one {@code kiln} invocation the way the {@code kiln} program does (see {@link Kiln#run}:
   * plain read-only commands skip picocli) and returns its exit code; never throws, never exits.
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return Kiln.run(out, err, args);
  }

  /** Runs one invocation through picocli, whatever the arguments. */
  static int runWithPicocli(PrintWriter out, PrintWriter err, String... args) {
    return newCommandLine(out, err, args.length > 0 ? args[0] : null).execute(args);
  }

  /** A command line with every subcommand registered (for help, and for listing commands). */
  static CommandLine newCommandLine(PrintWriter out, PrintWriter err) {
    return newCommandLine(out, err, null);
  }

  /**
   * A command line for one invocation. Building picocli's model of all commands costs a good part
   * of a one-shot command's start-up, so when the first argument names a subcommand only that one
   * is registered; anything else (no argument, an option, {@code help}, a typo) gets them all so
   * that help and "unknown command" messages stay complete.
   */
  static CommandLine newCommandLine(PrintWriter out, PrintWriter err, String firstArgument) {
    CommandLine commandLine = new CommandLine(new KilnCli());
    Class<?> only = firstArgument == null ? null : subcommandNamed(firstArgument);
    for (Class<?> type : subcommandTypes()) {
      if (only == null || only == type) {
        commandLine.addSubcommand(instantiate(type));
      }
    }
    if (only == null) {
      commandLine.addSubcommand(new CommandLine.HelpCommand());
    }
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExitCodeExceptionMapper(ExitCodes::forException);
    commandLine.setExecutionExceptionHandler(
        (failure, cmd, parseResult) -> ExitCodes.report(failure, cmd.getErr()));
    commandLine.setParameterExceptionHandler(
        (failure, args) -> {
          CommandLine cmd = failure.getCommandLine();
          if (failure.getCause() instanceof DeviceOptions.BadDevice badDevice) {
            cmd.getErr().println("kiln: " + badDevice.getMessage());
            return ExitCodes.USAGE;
          }
          cmd.getErr().println("kiln: " + failure.getMessage());
          cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
          return ExitCodes.USAGE;
        });
    return commandLine;
  }

  private static Class<?> subcommandNamed(String name) {
    for (Class<?> type : subcommandTypes()) {
      Command command = type.getAnnotation(Command.class);
      if (command != null
          && (command.name().equals(name) || List.of(command.aliases()).contains(name))) {
        return type;
      }
    }
    return null;
  }

  private static Object instantiate(Class<?> type) {
    if (type == DeviceCommand.class) {
      return DeviceCommand.commandLine(); // some of its subcommands are built from a table
    }
    try {
      return type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      // Every command class has a public no-argument constructor; this is a build defect.
      throw new IllegalStateException("cannot create command " + type.getName(), e);
    }
  }

  /**
   * The version Maven wrote into the jar manifest, the Java runtime, and the start-up aid the
   * launcher passed ({@code kiln.startup.aid}, pipeline/launcher/jvm-startup.sh) and whether the
   * JVM shares classes at all ({@code java.vm.info} says "sharing"; off means no archive, not
   * even the JDK's own, could be mapped).
   */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = KilnCli.class.getPackage().getImplementationVersion();
      String aid = System.getProperty("kiln.startup.aid", "none (not started by a kiln launcher)");
      String info = System.getProperty("java.vm.info", "");
      boolean sharing = info.contains("sharing");
      return new String[] {
        "kiln " + (version == null ? "development build" : version),
        "JDK " + System.getProperty("java.runtime.version", System.getProperty("java.version"))
            + " (" + System.getProperty("java.vm.vendor", "unknown vendor") + ", "
            + System.getProperty("java.home") + ")",
        "start-up aid: " + aid + "; JVM class sharing " + (sharing ? "on" : "off")
      };
    }
  }
}
