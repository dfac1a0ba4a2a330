package dev.kiln.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.ComponentUpdateState;
import dev.kiln.registers.FsmState;
import dev.kiln.registers.MccErrorCode;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.Mcda;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every MCC state-machine transition and refusal of protocol doc §2.3/§2.4 (table rows). */
class FsmTest {
  @TempDir static Path work;
  static byte[] image;

  @TempDir Path dir;
  final AtomicLong clock = new AtomicLong(1_000_000_000L);
  EmulatedDevice device;
  SimpleHost host;
  SimpleHost other;

  @BeforeAll
  static void images() throws Exception {
    image = TestImages.build(work, TestImages.spec(22, 41, 1000));
  }

  @BeforeEach
  void open() throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), image);
    device =
        EmulatedDevice.open(
            dir,
            EmulatedDevice.Options.defaults()
                .withClock(clock::get)
                .withLockTimeout(Duration.ofSeconds(60)));
    host = new SimpleHost(device.client());
    other = new SimpleHost(device.client());
  }

  @AfterEach
  void close() {
    device.close();
  }

  @Test
  void idleGetOffersTheHandleAndLockNeedsIt() throws Exception {
    SimpleHost.MccReply idle = host.query();
    assertEquals(RegisterStatus.OK, idle.status());
    assertEquals(FsmState.IDLE, idle.state());
    int offered = idle.mcc().updateHandle();
    assertNotEquals(0, offered);
    SimpleHost.MccReply wrong = host.mcc(MccInstruction.LOCK_UPDATE_HANDLE, 0, offered + 1, 0);
    assertEquals(RegisterStatus.BAD_PARAM, wrong.status());
    assertEquals(MccErrorCode.ERROR, wrong.error());
    assertEquals(FsmState.IDLE, wrong.state());
    SimpleHost.MccReply lock = host.mcc(MccInstruction.LOCK_UPDATE_HANDLE, 0, offered, 0);
    assertEquals(RegisterStatus.OK, lock.status());
    assertEquals(FsmState.LOCKED, lock.state());
    assertEquals(offered, lock.mcc().updateHandle());
    assertEquals(5, lock.mcc().handleOwnerType());
  }

  @Test
  void everyInstructionButLockIsRefusedWhileIdle() throws Exception {
    int handle = host.query().mcc().updateHandle();
    for (MccInstruction instruction : MccInstruction.values()) {
      if (instruction == MccInstruction.QUERY
          || instruction == MccInstruction.LOCK_UPDATE_HANDLE
          || instruction == MccInstruction.FORCE_HANDLE_RELEASE) {
        continue;
      }
      SimpleHost.MccReply reply = host.mcc(instruction, 0, handle, 16);
      assertEquals(RegisterStatus.BAD_PARAM, reply.status(), instruction.name());
      assertEquals(MccErrorCode.ERROR, reply.error(), instruction.name());
      assertEquals(FsmState.IDLE, reply.state(), instruction.name());
    }
  }

  @Test
  void aLockHeldByOneClientRefusesAnother() throws Exception {
    int handle = host.lock();
    SimpleHost.MccReply seen = other.query();
    assertEquals(FsmState.LOCKED, seen.state());
    assertEquals(0, seen.mcc().updateHandle(), "the handle is not shown to others");
    assertEquals(RegisterStatus.DEV_BUSY,
        other.mcc(MccInstruction.LOCK_UPDATE_HANDLE, 0, handle, 0).status());
    assertEquals(RegisterStatus.DEV_BUSY,
        other.mcc(MccInstruction.UPDATE_COMPONENT, 0, handle, 1024).status());
    assertEquals(RegisterStatus.DEV_BUSY,
        other.mcc(MccInstruction.RELEASE_UPDATE_HANDLE, 0, handle, 0).status());
    assertEquals(RegisterStatus.BAD_PARAM,
        other.mcdaWrite(handle, 0, new byte[128], 0, 128));
    // The owner is unaffected.
    assertEquals(FsmState.LOCKED, host.query().state());
    // FORCE_HANDLE_RELEASE frees the handle whoever holds it.
    SimpleHost.MccReply forced = other.mcc(MccInstruction.FORCE_HANDLE_RELEASE, 0, 0, 0);
    assertEquals(RegisterStatus.OK, forced.status());
    assertEquals(FsmState.IDLE, forced.state());
    assertNotEquals(handle, other.query().mcc().updateHandle(), "a new handle is offered");
    other.lock();
    assertEquals(RegisterStatus.DEV_BUSY,
        host.mcc(MccInstruction.UPDATE_COMPONENT, 0, handle, 1024).status());
  }

  @Test
  void ownerMustUseItsHandle() throws Exception {
    int handle = host.lock();
    SimpleHost.MccReply reply = host.mcc(MccInstruction.UPDATE_COMPONENT, 0, handle ^ 1, 1024);
    assertEquals(RegisterStatus.BAD_PARAM, reply.status());
    assertEquals(MccErrorCode.ERROR, reply.error());
    assertEquals(FsmState.LOCKED, reply.state());
  }

  @Test
  void updateInitializesThenDownloads() throws Exception {
    int handle = host.lock();
    SimpleHost.MccReply update = host.mcc(MccInstruction.UPDATE_COMPONENT, 0, handle, 4096);
    assertEquals(FsmState.INITIALIZE, update.state());
    // MCDA while the partition is being prepared: "not now" (0x08), never a rejection.
    assertEquals(RegisterStatus.RES_NOT_AVLBL, host.mcdaWrite(handle, 0, new byte[128], 0, 128));
    assertEquals(FsmState.DOWNLOAD, host.query().state());
    assertEquals(ComponentUpdateState.IN_PROGRESS, UpdateFlowTest.mcqs(host, 0).updateState());
  }

  @Test
  void updateRefusals() throws Exception {
    int handle = host.lock();
    assertEquals(MccErrorCode.ERROR,
        host.mcc(MccInstruction.UPDATE_COMPONENT, 7, handle, 4096).error(), "no component 7");
    assertEquals(MccErrorCode.ERROR,
        host.mcc(MccInstruction.UPDATE_COMPONENT, 0, handle, 0).error(), "size 0");
    assertEquals(MccErrorCode.ERROR,
        host.mcc(MccInstruction.UPDATE_COMPONENT, 0, handle, 64L << 20).error(), "too big");
    assertEquals(FsmState.LOCKED, host.query().state());
  }

  @Test
  void mcdaChecksOrderAlignmentBoundsAndHandle() throws Exception {
    int handle = host.lock();
    host.mcc(MccInstruction.UPDATE_COMPONENT, 0, handle, 300);
    host.query();
    byte[] data = new byte[300];
    assertEquals(RegisterStatus.BAD_PARAM, host.mcdaWrite(handle, 128, data, 0, 128), "skip");
    assertEquals(RegisterStatus.BAD_PARAM, host.mcdaWrite(handle ^ 1, 0, data, 0, 128), "handle");
    assertEquals(RegisterStatus.BAD_PARAM, host.mcdaWrite(handle, 2, data, 0, 128), "alignment");
    assertEquals(RegisterStatus.BAD_PARAM, host.mcdaWrite(handle, 0, data, 0, 6), "short chunk");
    assertEquals(RegisterStatus.OK, host.mcdaWrite(handle, 0, data, 0, 128));
    assertEquals(RegisterStatus.BAD_PARAM, host.mcdaWrite(handle, 0, data, 0, 128), "again");
    assertEquals(RegisterStatus.OK, host.mcdaWrite(handle, 128, data, 128, 128));
    assertEquals(RegisterStatus.BAD_PARAM, host.mcdaWrite(handle, 256, data, 0, 128), "past end");
    assertEquals(RegisterStatus.OK, host.mcdaWrite(handle, 256, data, 256, 44));
  }

  @Test
  void verifyNeedsTheWholeComponentAndTheDownloadState() throws Exception {
    int handle = host.lock();
    SimpleHost.MccReply early = host.mcc(MccInstruction.VERIFY_COMPONENT, 0, handle, 0);
    assertEquals(RegisterStatus.BAD_PARAM, early.status());
    assertEquals(MccErrorCode.ERROR, early.error());
    host.mcc(MccInstruction.UPDATE_COMPONENT, 0, handle, 1024);
    host.query();
    host.mcdaWrite(handle, 0, new byte[1024], 0, 128);
    SimpleHost.MccReply partial = host.mcc(MccInstruction.VERIFY_COMPONENT, 0, handle, 0);
    assertEquals(RegisterStatus.BAD_PARAM, partial.status());
    assertEquals(MccErrorCode.ERROR, partial.error());
    assertEquals(FsmState.LOCKED, partial.state());
  }

  @Test
  void aDuplicateOfARejectedSetGetsTheSameReply() throws Exception {
    int handle = host.lock();
    host.download(handle, 0, new byte[4096]);
    byte[] verify =
        RegisterEnvelope.request(
                AccessRegister.MCC,
                RegisterMethod.SET,
                dev.kiln.registers.Mcc.command(MccInstruction.VERIFY_COMPONENT, 0, handle, 0)
                    .encode())
            .encode();
    byte[] first = device.client().exchange(verify);
    // Same client sends the identical request again (mstflint's SMP fallback resend).
    SimpleHost.MccReply firstReply = host.mcc(MccInstruction.VERIFY_COMPONENT, 0, handle, 0);
    assertEquals(RegisterStatus.DEV_BUSY, RegisterEnvelope.decode(first).registerStatus(),
        "another client is refused");
    assertEquals(MccErrorCode.REJECTED_BAD_FORMAT, firstReply.error());
    SimpleHost.MccReply again = host.mcc(MccInstruction.VERIFY_COMPONENT, 0, handle, 0);
    assertEquals(MccErrorCode.REJECTED_BAD_FORMAT, again.error(),
        "the resend must not turn into 'illegal in state LOCKED'");
    assertEquals(firstReply, again);
    // Any other transaction ends the duplicate window: now VERIFY in LOCKED is an error.
    host.query();
    assertEquals(MccErrorCode.ERROR,
        host.mcc(MccInstruction.VERIFY_COMPONENT, 0, handle, 0).error());
  }

  @Test
  void cancelDiscardsTheDownloadAndReturnsToLocked() throws Exception {
    int handle = host.lock();
    host.mcc(MccInstruction.UPDATE_COMPONENT, 0, handle, 1024);
    host.query();
    host.mcdaWrite(handle, 0, new byte[1024], 0, 128);
    SimpleHost.MccReply cancel = host.mcc(MccInstruction.CANCEL, 0, handle, 0);
    assertEquals(RegisterStatus.OK, cancel.status());
    assertEquals(FsmState.LOCKED, cancel.state());
    assertEquals(ComponentUpdateState.CANCELED, UpdateFlowTest.mcqs(host, 0).updateState());
    assertEquals(RegisterStatus.BAD_PARAM, host.mcdaWrite(handle, 128, new byte[128], 0, 128));
    // A new UPDATE starts from offset 0 again.
    host.mcc(MccInstruction.UPDATE_COMPONENT, 0, handle, 1024);
    host.query();
    assertEquals(RegisterStatus.OK, host.mcdaWrite(handle, 0, new byte[128], 0, 128));
  }

  @Test
  void releaseOnlyFromLockedOrUpload() throws Exception {
    int handle = host.lock();
    host.mcc(MccInstruction.UPDATE_COMPONENT, 0, handle, 1024);
    host.query();
    assertEquals(RegisterStatus.BAD_PARAM,
        host.mcc(MccInstruction.RELEASE_UPDATE_HANDLE, 0, handle, 0).status());
    host.mcc(MccInstruction.CANCEL, 0, handle, 0);
    SimpleHost.MccReply release = host.mcc(MccInstruction.RELEASE_UPDATE_HANDLE, 0, handle, 0);
    assertEquals(RegisterStatus.OK, release.status());
    assertEquals(FsmState.IDLE, release.state());
    assertEquals(ComponentUpdateState.IDLE, UpdateFlowTest.mcqs(host, 0).updateState());
  }

  @Test
  void readComponentUploadsTheRunningImageAndReleasesFromUpload() throws Exception {
    int handle = host.lock();
    assertEquals(RegisterStatus.BAD_PARAM,
        host.mcc(MccInstruction.READ_PENDING_COMPONENT, 0, handle, 0).status(), "nothing pending");
    SimpleHost.MccReply read = host.mcc(MccInstruction.READ_COMPONENT, 0, handle, 0);
    assertEquals(FsmState.UPLOAD, read.state());
    byte[] back = new byte[image.length];
    for (int offset = 0; offset < image.length; offset += Mcda.MAX_DATA) {
      RegisterEnvelope reply =
          host.access(AccessRegister.MCDA, RegisterMethod.GET,
              new Mcda(handle, offset, Mcda.MAX_DATA, new byte[0]).encode());
      assertEquals(RegisterStatus.OK, reply.registerStatus());
      Mcda.decode(reply.payload()).copyImageBytes(back, offset);
    }
    assertArrayEquals(image, back);
    // MCDA SET is not allowed while uploading.
    assertEquals(RegisterStatus.BAD_PARAM, host.mcdaWrite(handle, 0, new byte[128], 0, 128));
    SimpleHost.MccReply release = host.mcc(MccInstruction.RELEASE_UPDATE_HANDLE, 0, handle, 0);
    assertEquals(FsmState.IDLE, release.state());
  }

  @Test
  void readPendingComponentUploadsTheActivatedImageAndCancelReturnsToLocked() throws Exception {
    byte[] newer = TestImages.build(work, TestImages.spec(22, 42, 1010));
    assertEquals(MccErrorCode.OK, host.burn(newer));
    int handle = host.lock();
    SimpleHost.MccReply read = host.mcc(MccInstruction.READ_PENDING_COMPONENT, 0, handle, 0);
    assertEquals(FsmState.UPLOAD, read.state());
    // component_size is the request's echo (0 here); a host takes the upload size from MCQI
    // CAPABILITIES, as mstflint's FwCompsMgr::readComponent does.
    assertEquals(0, read.mcc().componentSize());
    byte[] back = new byte[newer.length];
    for (int offset = 0; offset < newer.length; offset += Mcda.MAX_DATA) {
      RegisterEnvelope reply =
          host.access(AccessRegister.MCDA, RegisterMethod.GET,
              new Mcda(handle, offset, Mcda.MAX_DATA, new byte[0]).encode());
      Mcda.decode(reply.payload()).copyImageBytes(back, offset);
    }
    assertArrayEquals(newer, back, "the pending slot holds the image with its magic restored");
    assertEquals(RegisterStatus.BAD_PARAM,
        host.access(AccessRegister.MCDA, RegisterMethod.GET,
            new Mcda(handle, newer.length, Mcda.MAX_DATA, new byte[0]).encode())
            .registerStatus(), "past the end");
    SimpleHost.MccReply cancel = host.mcc(MccInstruction.CANCEL, 0, handle, 0);
    assertEquals(FsmState.LOCKED, cancel.state());
    assertEquals(RegisterStatus.BAD_PARAM,
        host.access(AccessRegister.MCDA, RegisterMethod.GET,
            new Mcda(handle, 0, Mcda.MAX_DATA, new byte[0]).encode()).registerStatus(),
        "no upload after CANCEL");
  }

  @Test
  void activateNeedsAVerifiedComponent() throws Exception {
    int handle = host.lock();
    assertEquals(MccErrorCode.ERROR, host.mcc(MccInstruction.ACTIVATE, 0, handle, 0).error());
    assertEquals(MccErrorCode.ERROR,
        host.mcc(MccInstruction.ACTIVATE_COMPONENT, 0, handle, 0).error(), "not offered");
    assertEquals(MccErrorCode.ERROR,
        host.mcc(MccInstruction.DOWNSTREAM_DEVICE_TRANSFER, 0, handle, 0).error(), "LinkX only");
    assertEquals(RegisterStatus.OK,
        host.mcc(MccInstruction.CHECK_UPDATE_HANDLE, 0, handle, 0).status());
  }

  @Test
  void anIdleLockTimesOut() throws Exception {
    int handle = host.lock();
    clock.addAndGet(Duration.ofSeconds(30).toNanos());
    SimpleHost.MccReply mid = host.query();
    assertEquals(FsmState.LOCKED, mid.state());
    assertEquals(30, mid.mcc().timeElapsedSinceLastCmd());
    clock.addAndGet(Duration.ofSeconds(31).toNanos());
    assertEquals(FsmState.IDLE, other.query().state());
    assertEquals(RegisterStatus.BAD_PARAM,
        host.mcc(MccInstruction.UPDATE_COMPONENT, 0, handle, 1024).status());
    other.lock();
  }

  @Test
  void lastErrorClearsOnTheNextCommand() throws Exception {
    int handle = host.lock();
    host.mcc(MccInstruction.ACTIVATE, 0, handle, 0);
    assertEquals(MccErrorCode.ERROR, host.query().error());
    host.mcc(MccInstruction.CANCEL, 0, handle, 0);
    assertEquals(MccErrorCode.OK, host.query().error());
  }

  @Test
  void powerCycleDropsTheSessionButKeepsHandlesMoving() throws Exception {
    int handle = host.lock();
    host.mcc(MccInstruction.UPDATE_COMPONENT, 0, handle, 1024);
    device.powerCycle();
    SimpleHost.MccReply after = host.query();
    assertEquals(FsmState.IDLE, after.state());
    assertNotEquals(handle, after.mcc().updateHandle());
    assertEquals(ComponentUpdateState.IDLE, UpdateFlowTest.mcqs(host, 0).updateState());
    assertEquals(0, Arrays.stream(new int[] {device.runningSlot()}).sum());
  }
}
