package dev.kiln.emulator.internal;

import dev.kiln.emulator.FaultPoint;
import dev.kiln.inspector.ImageFormatException;
import dev.kiln.inspector.format.Fs4Magic;
import dev.kiln.inspector.io.AtomicFiles;
import dev.kiln.registers.ComponentUpdateState;
import dev.kiln.registers.FsmState;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.MccErrorCode;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.Mcda;
import dev.kiln.registers.RegisterStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The MCC update handle and state machine (protocol doc §2.3), with the MCDA download and upload
 * of a component and the device-side checks at VERIFY_COMPONENT (docs/emulator.md, "The update
 * state machine" and "Device-side checks"). Lives in RAM only: lost at power loss and reset.
 *
 * <p>Not API; not synchronized: the facade's monitor guards every call.
 */
public final class UpdateStateMachine {
  /** The installed CS token's file in the device directory. */
  public static final String CS_TOKEN_FILE = "cs-token.bin";
  /** The 16-byte fingerprint a configuration (token) file starts with (protocol doc §6.1). */
  public static final byte[] CONFIG_FINGERPRINT =
      "MLNX.CONFIG.BIN!".getBytes(StandardCharsets.US_ASCII);
  /** Largest CS token accepted. */
  public static final int MAX_TOKEN_SIZE = 64 * 1024;

  private static final int INDEX_BOOT_IMG = QueryRegisters.INDEX_BOOT_IMG;
  private static final int INDEX_CS_TOKEN = QueryRegisters.INDEX_CS_TOKEN;

  private final DeviceState state;
  private final LongSupplier nanoClock;
  private final Duration lockTimeout;
  private final BootImageUpdate bootImage;
  private final BooleanSupplier otherPathBusy;

  private FsmState fsm = FsmState.IDLE;
  private int handle;
  private int owner;
  private long lastCommandNanos;
  private int sessionIndex;
  private long sessionSize;
  private byte[] download;
  private int nextOffset;
  private boolean verified;
  private MccErrorCode lastError = MccErrorCode.OK;
  private ComponentUpdateState sessionState = ComponentUpdateState.IDLE;
  private int uploadSlot;

  /**
   * @param otherPathBusy true while the PLDM firmware device is in update mode: the device has one
   *     update path at a time, so no MCC handle is given out then
   */
  public UpdateStateMachine(
      DeviceState state, LongSupplier nanoClock, Duration lockTimeout,
      BooleanSupplier otherPathBusy) {
    this.state = state;
    this.bootImage = new BootImageUpdate(state);
    this.otherPathBusy = otherPathBusy;
    this.nanoClock = nanoClock;
    this.lockTimeout = lockTimeout;
  }

  public FsmState fsm() {
    return fsm;
  }

  /** True while no handle is held. */
  public boolean idle() {
    return fsm == FsmState.IDLE;
  }

  /** Back to IDLE with no session and no error, and a new handle on offer: a reset or power-on. */
  public void reset() throws IOException {
    endSession();
    lastError = MccErrorCode.OK;
    retireHandle();
  }

  /**
   * Offers another handle from now on (durably, so handles keep moving across power loss). The
   * device does this when a session is taken from its owner (FORCE_HANDLE_RELEASE, idle timeout)
   * and at power-on, but not when the owner releases: mstflint reads the handle once per process
   * (mstflint 4.21 fw_comps_mgr/fw_comps_mgr.cpp {@code FwCompsMgr::initialize} →
   * {@code GenerateHandle}) and locks with it again after its own RELEASE, as {@code verify}
   * does when {@code readComponent} falls back from the pending to the running image.
   */
  private void retireHandle() throws IOException {
    state.storeNv(state.nv().withNextHandle(state.nv().nextHandle() % 0xFFFFFF + 1));
  }

  /** MCQS's update state of component {@code index}: the session's, or what the flash holds. */
  public ComponentUpdateState componentUpdateState(int index) {
    if (fsm != FsmState.IDLE && sessionIndex == index) {
      return sessionState;
    }
    if (index == INDEX_BOOT_IMG && state.pending() != null) {
      return ComponentUpdateState.ACTIVE_PENDING_RESET;
    }
    return ComponentUpdateState.IDLE;
  }

  /** One MCC access (GET is QUERY; every other instruction is a SET). */
  public RegisterReply mcc(int client, boolean get, Mcc request) throws IOException {
    long now = nanoClock.getAsLong();
    expireIdleLock(now);
    boolean isOwner = fsm != FsmState.IDLE && client == owner;
    if (get) {
      // QUERY. The owner polling through INITIALIZE sees the erase finish.
      if (isOwner && fsm == FsmState.INITIALIZE) {
        fsm = FsmState.DOWNLOAD;
      }
      return RegisterReply.ok(mccReply(request, client, now));
    }
    MccInstruction instruction = request.instructionCode();
    if (instruction == null || instruction == MccInstruction.QUERY) {
      return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
    if (instruction == MccInstruction.FORCE_HANDLE_RELEASE) {
      // Frees the handle whoever holds it (protocol doc §2.4); the next lock needs a new one.
      endSession();
      retireHandle();
      lastError = MccErrorCode.OK;
      return RegisterReply.ok(mccReply(request, client, now));
    }
    if (fsm == FsmState.IDLE) {
      if (instruction != MccInstruction.LOCK_UPDATE_HANDLE) {
        return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
      }
      if (request.updateHandle() != state.nv().nextHandle()) {
        return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
      }
      if (otherPathBusy.getAsBoolean()) {
        // The BMC's PLDM update holds the update path: as a lock held by another client.
        return reject(request, client, now, RegisterStatus.DEV_BUSY, MccErrorCode.ERROR);
      }
      handle = state.nv().nextHandle();
      owner = client;
      fsm = FsmState.LOCKED;
      lastCommandNanos = now;
      lastError = MccErrorCode.OK;
      sessionState = ComponentUpdateState.IDLE;
      return RegisterReply.ok(mccReply(request, client, now));
    }
    if (client != owner) {
      // The handle belongs to another client: "a lock held by one client refuses another".
      return reject(request, client, now, RegisterStatus.DEV_BUSY, MccErrorCode.ERROR);
    }
    if (request.updateHandle() != handle) {
      return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
    lastCommandNanos = now;
    lastError = MccErrorCode.OK;
    switch (instruction) {
      case RELEASE_UPDATE_HANDLE:
        if (fsm != FsmState.LOCKED && fsm != FsmState.UPLOAD) {
          return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
        }
        endSession();
        return RegisterReply.ok(mccReply(request, client, now));
      case CANCEL:
        discardSession(ComponentUpdateState.CANCELED);
        fsm = FsmState.LOCKED;
        return RegisterReply.ok(mccReply(request, client, now));
      case CHECK_UPDATE_HANDLE:
        return RegisterReply.ok(mccReply(request, client, now));
      case UPDATE_COMPONENT:
        return update(request, client, now);
      case VERIFY_COMPONENT:
        return verify(request, client, now);
      case ACTIVATE:
        return activate(request, client, now);
      case READ_COMPONENT:
      case READ_PENDING_COMPONENT:
        return read(request, client, now, instruction == MccInstruction.READ_PENDING_COMPONENT);
      default:
        // ACTIVATE_COMPONENT, DOWNSTREAM_DEVICE_TRANSFER: not offered by this device.
        return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
  }

  private RegisterReply update(Mcc request, int client, long now) {
    if (fsm != FsmState.LOCKED) {
      return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
    int index = request.componentIndex();
    long size = request.componentSize();
    if (index != INDEX_BOOT_IMG && index != INDEX_CS_TOKEN) {
      return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
    if (index == INDEX_BOOT_IMG) {
      // Pending image (BLOCKED_PENDING_RESET: wait for the reset or MIRC) or a size the slot
      // cannot take: the rule both update paths share.
      MccErrorCode admitted = bootImage.admit(size);
      if (admitted != MccErrorCode.OK) {
        return reject(request, client, now, RegisterStatus.BAD_PARAM, admitted);
      }
    } else if (size <= 0 || size > MAX_TOKEN_SIZE) {
      return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
    verified = false;
    sessionIndex = index;
    sessionSize = size;
    download = new byte[(int) size];
    nextOffset = 0;
    sessionState = ComponentUpdateState.IN_PROGRESS;
    fsm = FsmState.INITIALIZE;
    return RegisterReply.ok(mccReply(request, client, now));
  }

  private RegisterReply verify(Mcc request, int client, long now) throws IOException {
    if (fsm != FsmState.DOWNLOAD) {
      return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
    if (nextOffset != sessionSize) {
      return failVerify(request, client, now, MccErrorCode.ERROR);
    }
    if (sessionIndex == INDEX_CS_TOKEN) {
      if (!startsWith(download, CONFIG_FINGERPRINT)) {
        return failVerify(request, client, now, MccErrorCode.REJECTED_BAD_FORMAT);
      }
      verified = true;
      sessionState = ComponentUpdateState.APPLIED;
      fsm = FsmState.LOCKED;
      return RegisterReply.ok(mccReply(request, client, now));
    }
    SecureBootPolicy.Verdict verdict = bootImage.check(download);
    if (!verdict.accepted()) {
      return failVerify(request, client, now, verdict.error());
    }
    // Accepted: into the inactive slot without its magic, so it cannot boot before ACTIVATE.
    bootImage.stage(download);
    download = null;
    verified = true;
    sessionState = ComponentUpdateState.APPLIED;
    fsm = FsmState.LOCKED;
    return RegisterReply.ok(mccReply(request, client, now));
  }

  private RegisterReply failVerify(Mcc request, int client, long now, MccErrorCode error) {
    // A rejected component changes nothing on flash or in NV: it only ever lived in RAM.
    download = null;
    verified = false;
    sessionState = ComponentUpdateState.FAILED;
    fsm = FsmState.LOCKED;
    return reject(request, client, now, RegisterStatus.BAD_PARAM, error);
  }

  private RegisterReply activate(Mcc request, int client, long now) throws IOException {
    if (fsm != FsmState.LOCKED || !verified) {
      return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
    if (sessionIndex == INDEX_CS_TOKEN) {
      // The token bytes are still in RAM; store them, then flag them in NV.
      AtomicFiles.write(state.dir().resolve(CS_TOKEN_FILE), download);
      state.storeNv(state.nv().withCsToken(true));
      download = null;
      verified = false;
      sessionState = ComponentUpdateState.ACTIVE;
      return RegisterReply.ok(mccReply(request, client, now));
    }
    bootImage.activate();
    verified = false;
    sessionState = ComponentUpdateState.ACTIVE_PENDING_RESET;
    return RegisterReply.ok(mccReply(request, client, now));
  }

  private RegisterReply read(Mcc request, int client, long now, boolean pendingImage) {
    if (fsm != FsmState.LOCKED || request.componentIndex() != INDEX_BOOT_IMG) {
      return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
    if (pendingImage && state.pending() == null) {
      return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
    uploadSlot = pendingImage ? state.nv().bootSlot() : state.runningSlot();
    sessionIndex = INDEX_BOOT_IMG;
    sessionSize = pendingImage ? state.pending().size() : state.running().size();
    fsm = FsmState.UPLOAD;
    return RegisterReply.ok(mccReply(request, client, now));
  }

  private RegisterReply reject(
      Mcc request, int client, long now, RegisterStatus status, MccErrorCode error) {
    lastError = error;
    return RegisterReply.refuse(status, mccReply(request, client, now));
  }

  /**
   * The MCC reply: the request with the device-written fields filled in. {@code component_size}
   * is the request's own, never a previous session's: mstflint writes it into every MCC request it
   * builds and takes component sizes from MCQI CAPABILITIES (mstflint 4.21
   * fw_comps_mgr/fw_comps_mgr.cpp {@code FwCompsMgr::controlFsm}, {@code readComponent}).
   */
  private byte[] mccReply(Mcc request, int client, long now) {
    boolean locked = fsm != FsmState.IDLE;
    int shownHandle = !locked ? state.nv().nextHandle() : client == owner ? handle : 0;
    int elapsed = locked ? (int) Math.min((now - lastCommandNanos) / 1_000_000_000L, 0xFFF) : 0;
    int progress = 0;
    if (fsm == FsmState.DOWNLOAD && sessionSize > 0) {
      progress = (int) (nextOffset * 100L / sessionSize);
    }
    return new Mcc(
            request.instruction(),
            request.activationDelaySec(),
            elapsed,
            request.componentIndex(),
            shownHandle,
            false,
            fsm.code(),
            lastError == MccErrorCode.UNKNOWN ? 0xFF : lastError.code(),
            progress,
            0,
            locked ? Mcc.OWNER_ICMD : 0,
            request.componentSize(),
            request.deviceType(),
            request.deviceIndex(),
            request.deviceIndexSize(),
            request.rejectedDeviceIndex())
        .encode();
  }

  private void expireIdleLock(long now) throws IOException {
    if (fsm != FsmState.IDLE && now - lastCommandNanos > lockTimeout.toNanos()) {
      endSession();
      retireHandle();
    }
  }

  /**
   * Ends the session {@code client} owns, as its CANCEL then RELEASE would: the download is
   * discarded and the handle stays as after an owner's RELEASE (the daemon calls this for a
   * connection that ended).
   */
  public void releaseOwner(int client) {
    if (fsm != FsmState.IDLE && owner == client) {
      endSession();
    }
  }

  private void endSession() {
    discardSession(ComponentUpdateState.IDLE);
    fsm = FsmState.IDLE;
    owner = 0;
  }

  private void discardSession(ComponentUpdateState newState) {
    download = null;
    verified = false;
    nextOffset = 0;
    sessionState = newState;
  }

  /** One MCDA access: data of the component being written (SET) or read (GET). */
  public RegisterReply mcda(int client, boolean get, Mcda request) throws IOException {
    long now = nanoClock.getAsLong();
    expireIdleLock(now);
    if (fsm == FsmState.IDLE || client != owner || request.updateHandle() != handle) {
      return RegisterReply.refuse(RegisterStatus.BAD_PARAM, request.encode());
    }
    lastCommandNanos = now;
    int size = request.size();
    long offset = request.offset();
    if (size <= 0 || size > Mcda.MAX_DATA || offset % 4 != 0 || offset + size > sessionSize) {
      return RegisterReply.refuse(RegisterStatus.BAD_PARAM, request.encode());
    }
    if (!get) {
      if (fsm == FsmState.INITIALIZE) {
        // Still preparing the partition: "not now", the host retries (protocol doc §1.3).
        return RegisterReply.refuse(RegisterStatus.RES_NOT_AVLBL, request.encode());
      }
      if (fsm != FsmState.DOWNLOAD) {
        return RegisterReply.refuse(RegisterStatus.BAD_PARAM, request.encode());
      }
      // Offsets go up strictly in order; only the last chunk may be short.
      if (offset != nextOffset || (size % 4 != 0 && offset + size != sessionSize)) {
        return RegisterReply.refuse(RegisterStatus.BAD_PARAM, request.encode());
      }
      request.copyImageBytes(download, (int) offset);
      nextOffset = (int) (offset + size);
      state.faults().reached(FaultPoint.MCDA_CHUNK);
      return RegisterReply.ok(request.encode());
    }
    if (fsm != FsmState.UPLOAD) {
      return RegisterReply.refuse(RegisterStatus.BAD_PARAM, request.encode());
    }
    byte[] bytes = state.flash().read(uploadSlot, offset, size);
    return RegisterReply.ok(Mcda.fromImage(handle, offset, bytes, 0, size).encode());
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    return data.length >= prefix.length
        && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
  }
}
