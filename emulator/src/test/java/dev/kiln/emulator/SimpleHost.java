package dev.kiln.emulator;

import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.FsmState;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.MccErrorCode;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.Mcda;
import dev.kiln.registers.Mfrl;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;

/**
 * A deliberately simple host for the emulator tests: the register sequence of one BOOT_IMG burn
 * (protocol doc §2.6), with no retries beyond what the protocol requires. The real host is the
 * burner module.
 */
final class SimpleHost {
  /** One MCC reply: the register status and the decoded register. */
  record MccReply(RegisterStatus status, Mcc mcc) {
    FsmState state() {
      return mcc.state();
    }

    MccErrorCode error() {
      return mcc.error();
    }
  }

  private final RegisterTransport transport;

  SimpleHost(RegisterTransport transport) {
    this.transport = transport;
  }

  RegisterEnvelope access(AccessRegister register, RegisterMethod method, byte[] payload)
      throws TransportException {
    return RegisterEnvelope.request(register, method, payload).exchange(transport);
  }

  MccReply mcc(MccInstruction instruction, int index, int handle, long size)
      throws TransportException {
    RegisterMethod method =
        instruction == MccInstruction.QUERY ? RegisterMethod.GET : RegisterMethod.SET;
    RegisterEnvelope reply =
        access(AccessRegister.MCC, method, Mcc.command(instruction, index, handle, size).encode());
    try {
      return new MccReply(reply.registerStatus(), Mcc.decode(reply.payload()));
    } catch (dev.kiln.registers.RegisterFormatException e) {
      throw new TransportException("bad MCC reply", e);
    }
  }

  MccReply query() throws TransportException {
    return mcc(MccInstruction.QUERY, 0, 0, 0);
  }

  /** GET the handle, then LOCK with it; returns the handle. */
  int lock() throws TransportException {
    int handle = query().mcc().updateHandle();
    MccReply reply = mcc(MccInstruction.LOCK_UPDATE_HANDLE, 0, handle, 0);
    if (reply.status() != RegisterStatus.OK || reply.state() != FsmState.LOCKED) {
      throw new TransportException("lock failed: " + reply);
    }
    return handle;
  }

  RegisterStatus mcdaWrite(int handle, long offset, byte[] component, int from, int length)
      throws TransportException {
    return access(
            AccessRegister.MCDA,
            RegisterMethod.SET,
            Mcda.fromImage(handle, offset, component, from, length).encode())
        .registerStatus();
  }

  /** Downloads {@code component} for component {@code index} (LOCKED -> DOWNLOAD -> data). */
  void download(int handle, int index, byte[] component) throws TransportException {
    MccReply update = mcc(MccInstruction.UPDATE_COMPONENT, index, handle, component.length);
    if (update.status() != RegisterStatus.OK) {
      throw new TransportException("update refused: " + update);
    }
    MccReply state = update;
    while (state.state() == FsmState.INITIALIZE) {
      state = mcc(MccInstruction.QUERY, index, handle, 0);
    }
    if (state.state() != FsmState.DOWNLOAD) {
      throw new TransportException("unexpected state " + state);
    }
    for (int offset = 0; offset < component.length; offset += Mcda.MAX_DATA) {
      int length = Math.min(Mcda.MAX_DATA, component.length - offset);
      RegisterStatus status = mcdaWrite(handle, offset, component, offset, length);
      if (status != RegisterStatus.OK) {
        throw new TransportException("MCDA at " + offset + ": " + status);
      }
    }
  }

  /**
   * The whole §2.6 burn of {@code image}: lock, update, download, verify, activate, release.
   * Returns OK or the MCC error of the step that failed (the handle is released either way).
   */
  MccErrorCode burn(byte[] image) throws TransportException {
    int handle = lock();
    // No try/finally: when the device dies mid-burn (power loss) there is nobody to release to.
    MccErrorCode result = burnSteps(handle, image);
    SimpleHost.MccReply release = mcc(MccInstruction.RELEASE_UPDATE_HANDLE, 0, handle, 0);
    if (release.status() != RegisterStatus.OK) {
      mcc(MccInstruction.FORCE_HANDLE_RELEASE, 0, handle, 0);
    }
    return result;
  }

  private MccErrorCode burnSteps(int handle, byte[] image) throws TransportException {
    download(handle, EmulatedDevice.INDEX_BOOT_IMG, TestImages.component(image));
    MccReply verify = mcc(MccInstruction.VERIFY_COMPONENT, 0, handle, 0);
    if (verify.status() != RegisterStatus.OK) {
      return verify.error();
    }
    if (verify.state() != FsmState.LOCKED) {
      throw new TransportException("unexpected state after verify " + verify);
    }
    MccReply activate = mcc(MccInstruction.ACTIVATE, 0, handle, 0);
    if (activate.status() != RegisterStatus.OK) {
      return activate.error();
    }
    return MccErrorCode.OK;
  }

  /** MFRL SET level 3: the FW reset that makes a pending image run. */
  RegisterStatus reset() throws TransportException {
    return access(
            AccessRegister.MFRL,
            RegisterMethod.SET,
            Mfrl.request(Mfrl.LEVEL_3_DRIVER_RESTART).encode())
        .registerStatus();
  }
}
