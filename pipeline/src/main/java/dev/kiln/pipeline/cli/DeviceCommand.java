package dev.kiln.pipeline.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code kiln device}: the parent of every command that creates, serves or talks to a device
 * (emulated or real). It does nothing itself; each subcommand is its own class.
 *
 * <p>To add a subcommand, append its class to the {@code subcommands} list below, one per line.
 * The commands a secure-FW device blocks are added from {@link BlockedCommands}' table by {@link
 * #commandLine}.
 */
@Command(
    name = "device",
    mixinStandardHelpOptions = true,
    description = "Create, serve and manage devices (the secure-FW emulator and real adapters).",
    subcommands = {
      // Emulator commands (init, serve) and host-side device commands (burner), one per line.
      DeviceInitCommand.class,
      DeviceServeCommand.class,
      DeviceResetCommand.class,
      DeviceReactivateCommand.class,
      DeviceSetKeyCommand.class,
      DeviceHwAccessCommand.class,
      DeviceSetGuidsCommand.class,
      DeviceExecCommand.class,
      DeviceReleaseCommand.class,
    })
public final class DeviceCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The {@code kiln device} command line: the annotated subcommands and the blocked ones. */
  static CommandLine commandLine() {
    CommandLine device = new CommandLine(new DeviceCommand());
    BlockedCommands.addTo(device);
    return device;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing device command; see 'kiln device --help'.");
  }
}
