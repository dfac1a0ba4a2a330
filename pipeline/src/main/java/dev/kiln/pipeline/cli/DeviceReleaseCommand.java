package dev.kiln.pipeline.cli;

import dev.kiln.burner.DeviceException;
import dev.kiln.burner.HandleRelease;
import dev.kiln.burner.SecureDevice;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.TransportException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kiln device release --device DEV [--force]}: frees an update handle left by a host that
 * died mid-burn (mstflint's equivalent is its force release, see {@link HandleRelease}). Exit 0
 * when the handle is free afterwards, 1 when its owner is still active and {@code --force} was not
 * given, 5 on a device error.
 */
@Command(
    name = "release",
    mixinStandardHelpOptions = true,
    description = {
      "Release an update handle left held by a host that died in the middle of a burn.",
      "Refuses while the owner is still active (it sent a command recently) unless --force."
    })
public final class DeviceReleaseCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DeviceOptions device;

  @Option(
      names = "--force",
      description = "Release even when the owner looks active: its burn is aborted.")
  boolean force;

  @Option(
      names = "--idle",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "An owner silent this long counts as dead (default ${DEFAULT-VALUE}).")
  long idleSeconds;

  @Override
  public Integer call() throws DeviceException, TransportException {
    if (idleSeconds < 0) {
      throw new CommandFailure(ExitCodes.USAGE, "--idle must not be negative");
    }
    PrintWriter out = spec.commandLine().getOut();
    String uri = device.uri().text();
    try (SecureDevice session = device.open()) {
      HandleRelease.Result result =
          HandleRelease.release(session, Duration.ofSeconds(idleSeconds), force);
      Mcc before = result.before();
      String held =
          before.state() == dev.kiln.registers.FsmState.IDLE
              ? "the update handle is free"
              : String.format(
                  "the update handle is held (state %s, owner type %d, last command %d s ago)",
                  before.state(), before.handleOwnerType(), before.timeElapsedSinceLastCmd());
      String semaphore =
          result.flashSemaphoreOwner() == 0
              ? ""
              : "; the flash semaphore is held by process " + result.flashSemaphoreOwner();
      switch (result.outcome()) {
        case FREE -> out.println(uri + ": the update handle is free; nothing to release");
        case RELEASED -> out.println(uri + ": released: " + held + semaphore);
        case OWNER_ACTIVE ->
            throw new CommandFailure(
                ExitCodes.CHECK_FAILED,
                uri + ": in use by an active owner: " + held + semaphore + "; wait for it, or"
                    + " pass --force to abort its burn");
      }
    }
    return ExitCodes.OK;
  }
}
