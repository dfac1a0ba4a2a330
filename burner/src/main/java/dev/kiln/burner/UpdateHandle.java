package dev.kiln.burner;

import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.FsmState;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.MccErrorCode;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import dev.kiln.registers.TransportException;
import java.util.List;

/**
 * Takes the MCC update handle, sends the MCC instructions under it, and always gives it back
 * (protocol doc §2.2-§2.4, §2.9). Unlike mstflint it never force-releases a handle another host
 * holds: a second host fails at once with "device busy".
 */
final class UpdateHandle {
  /** Tries of the first handle query (mstflint: 100). */
  static final int HANDLE_QUERY_TRIES = 100;

  private final DeviceLink link;
  private final DeviceSettings settings;
  private int handle;
  private boolean locked;
  /** The answer to the opening MCC GET, until a LOCK uses it; null: none (or used up). */
  private Mcc opening;
  private boolean openingTaken;

  /** An MCC reply with its register status. */
  record MccReply(RegisterStatus status, Mcc mcc) {}

  UpdateHandle(DeviceLink link, DeviceSettings settings) {
    this.link = link;
    this.settings = settings;
  }

  /** The handle the device gave (for MCDA). */
  int handle() {
    return handle;
  }

  /** Whether this session holds the handle. */
  boolean locked() {
    return locked;
  }

  /** Sends one MCC instruction under the handle: a GET for QUERY, a SET for the others. */
  MccReply mcc(MccInstruction instruction, int componentIndex, long size)
      throws TransportException {
    Mcc command = Mcc.command(instruction, componentIndex, handle, size);
    RegisterClient.Reply reply =
        instruction == MccInstruction.QUERY
            ? link.client().get(AccessRegister.MCC, command.encode())
            : link.client().set(AccessRegister.MCC, command.encode());
    return new MccReply(reply.status(), Mcc.decode(reply.payload()));
  }

  /** Fails unless the reply is OK (and, when given, in {@code expected} state). */
  Mcc require(MccReply reply, String step, FsmState... expected)
      throws DeviceException, ImageRejectedException {
    String uri = link.uri();
    if (reply.status() != RegisterStatus.OK) {
      MccErrorCode error = reply.mcc().error();
      if (reply.mcc().errorCode() != 0) {
        String message = uri + ": " + step + " failed: " + MccMessages.describe(error);
        if (MccMessages.isImageRejection(error)) {
          throw new ImageRejectedException(
              uri + ": the device refused the image: " + MccMessages.describe(error),
              reply.mcc().errorCode());
        }
        throw new DeviceException(message);
      }
      throw new DeviceException(
          uri + ": " + step + " failed: " + reply.status().text()
              + (reply.status() == RegisterStatus.RES_NOT_AVLBL
                  ? " (device busy for too long; timed out)"
                  : ""));
    }
    if (expected.length > 0) {
      FsmState state = reply.mcc().state();
      for (FsmState wanted : expected) {
        if (state == wanted) {
          return reply.mcc();
        }
      }
      throw new DeviceException(
          uri + ": " + step + ": Unexpected state " + state + " (wanted "
              + List.of(expected) + ")");
    }
    return reply.mcc();
  }

  /**
   * The session's opening MCC GET, once per session at the start of a burn: mstflint's
   * FwCompsMgr asks for the handle when it is created ({@code FwCompsMgr::initialize} calls {@code
   * GenerateHandle}: MCC QUERY with component index 0, up to 100 tries while the device answers
   * "resource not available"; mstflint 4.21 fw_comps_mgr/fw_comps_mgr.cpp) and its LOCK uses that
   * handle without asking again ({@code burnComponents}). A failed GET is not an error here: the
   * first LOCK then asks again and reports it.
   */
  void takeOpeningHandle() throws TransportException {
    if (openingTaken) {
      return;
    }
    openingTaken = true;
    RegisterClient.Reply reply = queryHandle();
    opening = reply.ok() ? Mcc.decode(reply.payload()) : null;
  }

  private RegisterClient.Reply queryHandle() throws TransportException {
    return link.client().access(
        AccessRegister.MCC,
        RegisterMethod.GET,
        Mcc.command(MccInstruction.QUERY, 0, 0, 0).encode(),
        HANDLE_QUERY_TRIES);
  }

  /**
   * Takes the update handle: the handle from the session's opening MCC GET (or, when that is
   * missing or a previous LOCK used it, a new MCC GET), then LOCK with it. Fails at once with
   * "device busy" when the GET shows another host holding the handle.
   */
  void lock(int componentIndex)
      throws DeviceException, ImageRejectedException, TransportException {
    if (settings.hwAccessLocked()) {
      // A locked device refuses every SET but MLOCK: say why instead of "method not supported".
      throw settings.hwAccessDisabled();
    }
    Mcc state = opening;
    opening = null;
    if (state == null) {
      RegisterClient.Reply reply = queryHandle();
      if (!reply.ok()) {
        throw new DeviceException(
            link.uri() + ": the update handle query failed: " + reply.status().text()
                + (reply.status() == RegisterStatus.RES_NOT_AVLBL ? " (device busy)" : ""));
      }
      state = Mcc.decode(reply.payload());
    }
    if (state.state() != FsmState.IDLE) {
      throw busy(state);
    }
    handle = state.updateHandle();
    MccReply locking = mcc(MccInstruction.LOCK_UPDATE_HANDLE, componentIndex, 0);
    if (locking.status() == RegisterStatus.OK && locking.mcc().state() == FsmState.LOCKED) {
      locked = true;
      return;
    }
    if (locking.status() == RegisterStatus.OK
        || locking.status() == RegisterStatus.RES_NOT_AVLBL
        || locking.status() == RegisterStatus.DEV_BUSY
        || locking.mcc().state() != FsmState.IDLE) {
      // Another host won the race between our GET and our LOCK.
      throw busy(locking.mcc());
    }
    if (locking.mcc().errorCode() != 0) {
      throw new DeviceException(
          link.uri() + ": LOCK_UPDATE_HANDLE failed: "
              + MccMessages.describe(locking.mcc().error()));
    }
    throw new DeviceException(
        link.uri() + ": LOCK_UPDATE_HANDLE failed: " + locking.status().text());
  }

  private DeviceException busy(Mcc state) {
    return new DeviceException(
        String.format(
            "%s: device busy: another host holds the update handle (state %s, owner type %d,"
                + " last command %d s ago); retry when it is done",
            link.uri(), state.state(), state.handleOwnerType(), state.timeElapsedSinceLastCmd()));
  }

  /** RELEASE after a completed step; the handle is no longer held. */
  void released() {
    locked = false;
  }

  /** CANCEL then RELEASE, after a failure; their own failures are attached, not thrown. */
  void abandon(Exception failure, int componentIndex) {
    if (!locked) {
      return;
    }
    try {
      mcc(MccInstruction.CANCEL, componentIndex, 0);
    } catch (TransportException | RuntimeException e) {
      failure.addSuppressed(e);
    }
    release(failure, componentIndex);
  }

  /** RELEASE; a failure is attached to {@code failure} (when given), not thrown. */
  void release(Exception failure, int componentIndex) {
    try {
      MccReply reply = mcc(MccInstruction.RELEASE_UPDATE_HANDLE, componentIndex, 0);
      if (reply.status() == RegisterStatus.OK) {
        locked = false;
      }
    } catch (TransportException | RuntimeException e) {
      if (failure != null) {
        failure.addSuppressed(e);
      }
    }
  }
}
