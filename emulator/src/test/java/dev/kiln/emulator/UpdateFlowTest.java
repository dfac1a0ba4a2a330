package dev.kiln.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.section.FwVersion;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.ComponentUpdateState;
import dev.kiln.registers.MccErrorCode;
import dev.kiln.registers.Mcqi;
import dev.kiln.registers.McqiInfoType;
import dev.kiln.registers.McqiVersion;
import dev.kiln.registers.Mcqs;
import dev.kiln.registers.Mgir;
import dev.kiln.registers.Mirc;
import dev.kiln.registers.MircStatus;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The happy path of §2.6 and §4: burn, pending, reset, reactivation, restart. */
class UpdateFlowTest {
  @TempDir static Path work;
  static byte[] v1;
  static byte[] v2;

  @BeforeAll
  static void images() throws Exception {
    v1 = TestImages.build(work, TestImages.spec(22, 41, 1000));
    v2 = TestImages.build(work, TestImages.spec(22, 42, 1010));
  }

  static EmulatedDevice fresh(Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    return EmulatedDevice.open(dir);
  }

  @Test
  void burnMakesThePendingImageRunAfterReset(@TempDir Path dir) throws Exception {
    try (EmulatedDevice device = fresh(dir)) {
      assertEquals(DeviceMode.SECURE_FW, device.mode());
      assertEquals(Optional.of(new FwVersion(22, 41, 1000)), device.runningVersion());
      SimpleHost host = new SimpleHost(device);
      assertEquals(MccErrorCode.OK, host.burn(v2));
      assertEquals(Optional.of(new FwVersion(22, 42, 1010)), device.pendingVersion());
      assertEquals(Optional.of(new FwVersion(22, 41, 1000)), device.runningVersion());
      assertEquals(
          ComponentUpdateState.ACTIVE_PENDING_RESET, mcqs(host, 0).updateState());
      assertEquals("22.42.1010", version(host, true).versionText());
      assertEquals("22.41.1000", version(host, false).versionText());

      assertEquals(RegisterStatus.OK, host.reset());
      assertEquals(Optional.of(new FwVersion(22, 42, 1010)), device.runningVersion());
      assertTrue(device.pendingVersion().isEmpty());
      assertEquals(ComponentUpdateState.IDLE, mcqs(host, 0).updateState());
      Mgir mgir = Mgir.decode(host.access(AccessRegister.MGIR, RegisterMethod.GET,
          new byte[Mgir.SIZE]).payload());
      assertEquals("22.42.1010", mgir.versionText());
      assertTrue(mgir.secured());
      assertEquals(TestImages.PSID, mgir.psid());
      assertEquals(0x212, mgir.hwDevId());
    }
  }

  @Test
  void restartActivatesThePendingImage(@TempDir Path dir) throws Exception {
    try (EmulatedDevice device = fresh(dir)) {
      assertEquals(MccErrorCode.OK, new SimpleHost(device).burn(v2));
    }
    try (EmulatedDevice device = EmulatedDevice.open(dir)) {
      assertEquals(Optional.of(new FwVersion(22, 42, 1010)), device.runningVersion());
      assertEquals(1, device.runningSlot());
      assertFalse(device.pendingVersion().isPresent());
    }
  }

  @Test
  void pendingImageBlocksAnotherUpdateUntilReactivated(@TempDir Path dir) throws Exception {
    try (EmulatedDevice device = fresh(dir)) {
      SimpleHost host = new SimpleHost(device);
      assertEquals(MccErrorCode.OK, host.burn(v2));
      int handle = host.lock();
      SimpleHost.MccReply update =
          host.mcc(dev.kiln.registers.MccInstruction.UPDATE_COMPONENT, 0, handle, v2.length);
      assertEquals(RegisterStatus.BAD_PARAM, update.status());
      assertEquals(MccErrorCode.BLOCKED_PENDING_RESET, update.error());
      host.mcc(dev.kiln.registers.MccInstruction.RELEASE_UPDATE_HANDLE, 0, handle, 0);

      // MIRC cancels the pending image: the running one is the boot image again.
      RegisterEnvelope mirc =
          host.access(AccessRegister.MIRC, RegisterMethod.SET, new Mirc(0).encode());
      assertEquals(RegisterStatus.OK, mirc.registerStatus());
      assertEquals(MircStatus.SUCCESS, Mirc.decode(host.access(AccessRegister.MIRC,
          RegisterMethod.GET, new byte[Mirc.SIZE]).payload()).status());
      assertTrue(device.pendingVersion().isEmpty());
      assertEquals(RegisterStatus.OK, host.reset());
      assertEquals(Optional.of(new FwVersion(22, 41, 1000)), device.runningVersion());
      // And the update is possible again.
      assertEquals(MccErrorCode.OK, host.burn(v2));
    }
  }

  @Test
  void reactivationAfterResetBringsBackThePreviousImage(@TempDir Path dir) throws Exception {
    try (EmulatedDevice device = fresh(dir)) {
      SimpleHost host = new SimpleHost(device);
      assertEquals(MccErrorCode.OK, host.burn(v2));
      host.reset();
      assertEquals(Optional.of(new FwVersion(22, 42, 1010)), device.runningVersion());
      host.access(AccessRegister.MIRC, RegisterMethod.SET, new Mirc(0).encode());
      assertEquals(Optional.of(new FwVersion(22, 41, 1000)), device.pendingVersion());
      host.reset();
      assertEquals(Optional.of(new FwVersion(22, 41, 1000)), device.runningVersion());
    }
  }

  static Mcqs mcqs(SimpleHost host, int index) throws Exception {
    return Mcqs.decode(
        host.access(AccessRegister.MCQS, RegisterMethod.GET, Mcqs.query(index).encode())
            .payload());
  }

  static McqiVersion version(SimpleHost host, boolean pending) throws Exception {
    RegisterEnvelope reply =
        host.access(
            AccessRegister.MCQI,
            RegisterMethod.GET,
            Mcqi.query(0, McqiInfoType.VERSION, pending).encode());
    assertEquals(RegisterStatus.OK, reply.registerStatus());
    return McqiVersion.decode(Mcqi.decode(reply.payload()).data());
  }
}
