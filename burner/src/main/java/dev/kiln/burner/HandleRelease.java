package dev.kiln.burner;

import dev.kiln.burner.pci.PciTransport;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.FsmState;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.TransportException;
import java.time.Duration;

/**
 * Recovers an update handle left by a host that died mid-burn ({@code kiln device release}): MCC
 * QUERY shows the state machine, its owner type and the seconds since the owner's last command;
 * a handle whose owner was silent for at least the idle threshold (or any handle, when forced) is
 * freed with MCC FORCE_HANDLE_RELEASE (instruction 0xA), the command mstflint sends when its own
 * LOCK fails (mstflint 4.21 fw_comps_mgr/fw_comps_mgr.cpp, FwCompsMgr::forceRelease, called from
 * FwCompsMgr::burnComponents). Unlike mstflint, which releases without looking, a handle whose
 * owner is still active is left alone unless forced: breaking a live burn aborts it (the device
 * discards the download and keeps its image, protocol doc §2.4).
 *
 * <p>On {@code pci:} the flash-programming semaphore that a burn holds around the MCC flow is
 * cleared too when its holder is gone: mstflint's {@code --clear_semaphore} opens the device with
 * its force-lock flag, which clears the tool semaphores (mstflint 4.21 flint/subcommands.cpp,
 * ClearSemSubCommand::executeCommand; mflash/mflash.c, icmd_init with MFO_IGNORE_SEM_LOCK). The
 * semaphore holds its owner's process id, so "gone" is checked directly: no process of that id
 * on this host (a holder on another host sharing the adapter cannot be seen: use --force).
 */
public final class HandleRelease {
  /** An owner silent this long is taken for dead. */
  public static final Duration DEFAULT_IDLE = Duration.ofSeconds(30);

  private HandleRelease() {}

  /** What the device showed and what was done. */
  public enum Outcome {
    /** The handle was free already. */
    FREE,
    /** The handle was held and is free now. */
    RELEASED,
    /** The handle is held by an owner that looks active; nothing was sent. */
    OWNER_ACTIVE
  }

  /**
   * The result.
   *
   * @param before the MCC state before
   * @param flashSemaphoreOwner the process id that held the PCI flash semaphore (0: free, or not
   *     a PCI device); it was cleared unless the outcome is {@link Outcome#OWNER_ACTIVE}
   */
  public record Result(Outcome outcome, Mcc before, int flashSemaphoreOwner) {}

  /**
   * Looks at the handle and frees it when it is abandoned (or when {@code force}).
   *
   * @throws DeviceException when the device does not answer MCC or keeps the handle afterwards
   */
  public static Result release(SecureDevice session, Duration idle, boolean force)
      throws DeviceException, TransportException {
    session.checkSupported();
    int index = session.bootImage().index();
    Mcc before = query(session, index);
    PciTransport pci =
        session.client().transport() instanceof PciTransport transport ? transport : null;
    int semaphoreOwner = pci == null ? 0 : pci.flashSemaphoreOwner();
    boolean semaphoreOwnerAlive =
        semaphoreOwner != 0 && ProcessHandle.of(semaphoreOwner & 0xFFFF_FFFFL).isPresent();
    boolean handleHeld = before.state() != FsmState.IDLE;
    boolean handleOwnerActive =
        handleHeld && before.timeElapsedSinceLastCmd() < idle.toSeconds();
    if (!force && (handleOwnerActive || semaphoreOwnerAlive)) {
      return new Result(Outcome.OWNER_ACTIVE, before, semaphoreOwner);
    }
    if (semaphoreOwner != 0) {
      pci.unlockFlashSemaphore();
    }
    if (!handleHeld) {
      return new Result(
          semaphoreOwner != 0 ? Outcome.RELEASED : Outcome.FREE, before, semaphoreOwner);
    }
    RegisterClient.Reply reply =
        session.client().access(
            AccessRegister.MCC,
            RegisterMethod.SET,
            Mcc.command(MccInstruction.FORCE_HANDLE_RELEASE, index, 0, 0).encode(),
            RegisterClient.DEFAULT_MAX_TRIES);
    if (!reply.ok()) {
      throw new DeviceException(
          session.uri() + ": FORCE_HANDLE_RELEASE failed: " + reply.status().text());
    }
    Mcc after = query(session, index);
    if (after.state() != FsmState.IDLE) {
      throw new DeviceException(
          session.uri() + ": the update handle is still held after FORCE_HANDLE_RELEASE (state "
              + after.state() + ")");
    }
    return new Result(Outcome.RELEASED, before, semaphoreOwner);
  }

  private static Mcc query(SecureDevice session, int index)
      throws DeviceException, TransportException {
    RegisterClient.Reply reply =
        session.client().get(
            AccessRegister.MCC, Mcc.command(MccInstruction.QUERY, index, 0, 0).encode());
    if (!reply.ok()) {
      throw new DeviceException(
          session.uri() + ": the update handle query (MCC) failed: " + reply.status().text());
    }
    return Mcc.decode(reply.payload());
  }
}
