package dev.kiln.pipeline.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code kiln device}: the parent of every command that creates, serves or talks to a device
 * (emulated or real). It does nothing itself; each subcommand is its own class.
 *
 * <p>To add a subcommand, append its class to the {@code subcommands} list below, one per line.
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
      BlockedCommands.FlashRead.class,
      BlockedCommands.FlashWrite.class,
      BlockedCommands.FlashErase.class,
      BlockedCommands.RomBurn.class,
      BlockedCommands.RomRemove.class,
      BlockedCommands.SetMfg.class,
      BlockedCommands.SetVsd.class,
      BlockedCommands.SetVpd.class,
      BlockedCommands.FlashGateway.class,
    })
public final class DeviceCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing device command; see 'kiln device --help'.");
  }
}
