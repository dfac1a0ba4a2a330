package dev.kiln.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.ComponentId;
import dev.kiln.registers.ComponentStatus;
import dev.kiln.registers.FsmState;
import dev.kiln.registers.Mcam;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.MccErrorCode;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.Mcqi;
import dev.kiln.registers.McqiActivationMethod;
import dev.kiln.registers.McqiCapabilities;
import dev.kiln.registers.McqiInfoType;
import dev.kiln.registers.Mcqs;
import dev.kiln.registers.Mfrl;
import dev.kiln.registers.Mfsv;
import dev.kiln.registers.Mlock;
import dev.kiln.registers.Mqis;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Query registers, blocked registers, envelope errors, CS token, HW access key (MLOCK). */
class DeviceRegistersTest {
  @TempDir static Path work;
  static byte[] image;

  @TempDir Path dir;
  EmulatedDevice device;
  SimpleHost host;

  @BeforeAll
  static void images() throws Exception {
    image = TestImages.build(work, TestImages.spec(22, 41, 1000).withSecurityVersion(2));
  }

  @BeforeEach
  void open() throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), image);
    device = EmulatedDevice.open(dir);
    host = new SimpleHost(device);
  }

  @AfterEach
  void close() {
    device.close();
  }

  RegisterEnvelope get(AccessRegister register, byte[] payload) throws Exception {
    return host.access(register, RegisterMethod.GET, payload);
  }

  @Test
  void mcamFlagsWhatMstflintNeedsAndNotMcdd() throws Exception {
    Mcam group0 = Mcam.decode(get(AccessRegister.MCAM, Mcam.query(0).encode()).payload());
    for (int id : new int[] {0x9020, 0x9060, 0x9061, 0x9062, 0x9063, 0x9064, 0x9028}) {
      assertTrue(group0.supportsRegister(id), Integer.toHexString(id));
    }
    assertFalse(group0.supportsRegister(0x905C), "MCDD (DMA) is never offered");
    Mcam group2 = Mcam.decode(get(AccessRegister.MCAM, Mcam.query(2).encode()).payload());
    assertTrue(group2.supportsRegister(0x9162));
    assertTrue(group2.supportsRegister(0x9115));
  }

  @Test
  void componentsAreBootImageThenCsToken() throws Exception {
    Mcqs boot = Mcqs.decode(get(AccessRegister.MCQS, Mcqs.query(0).encode()).payload());
    assertEquals(ComponentId.BOOT_IMG, boot.component());
    assertEquals(ComponentStatus.PRESENT, boot.status()); // as a real ConnectX-5 reports it
    assertFalse(boot.lastIndexFlag());
    Mcqs token = Mcqs.decode(get(AccessRegister.MCQS, Mcqs.query(1).encode()).payload());
    assertEquals(ComponentId.CS_TOKEN, token.component());
    assertEquals(ComponentStatus.NOT_PRESENT, token.status());
    assertTrue(token.lastIndexFlag());
    assertEquals(RegisterStatus.BAD_PARAM,
        get(AccessRegister.MCQS, Mcqs.query(2).encode()).registerStatus());
  }

  @Test
  void bootImageCapabilitiesAsChecklistSection8() throws Exception {
    // Nothing pending: the read_pending query is refused, as a real ConnectX-5 refuses it.
    assertEquals(RegisterStatus.BAD_PARAM,
        get(AccessRegister.MCQI, Mcqi.query(0, McqiInfoType.CAPABILITIES, true).encode())
            .registerStatus());
    {
      RegisterEnvelope reply =
          get(AccessRegister.MCQI, Mcqi.query(0, McqiInfoType.CAPABILITIES, false).encode());
      assertEquals(RegisterStatus.OK, reply.registerStatus());
      McqiCapabilities caps = McqiCapabilities.decode(Mcqi.decode(reply.payload()).data());
      assertEquals(0x23, caps.supportedInfoBitmask());
      assertEquals(image.length, caps.componentSize());
      assertEquals(2L << 20, caps.maxComponentSize());
      assertEquals(128, caps.mcdaMaxWriteSize());
      assertEquals(2, caps.logMcdaWordSize());
      assertTrue(caps.rdEn() && caps.matchPsid() && caps.signedUpdatesOnly());
    }
    McqiActivationMethod method =
        McqiActivationMethod.decode(
            Mcqi.decode(
                    get(AccessRegister.MCQI,
                        Mcqi.query(0, McqiInfoType.ACTIVATION_METHOD, false).encode())
                        .payload())
                .data());
    assertTrue(method.pendingFwReset());
    // No pending image: the pending VERSION query fails (that is how hosts detect "none").
    assertEquals(RegisterStatus.BAD_PARAM,
        get(AccessRegister.MCQI, Mcqi.query(0, McqiInfoType.VERSION, true).encode())
            .registerStatus());
    assertEquals(RegisterStatus.BAD_PARAM,
        get(AccessRegister.MCQI, Mcqi.query(0, McqiInfoType.PUBLIC_KEYS, false).encode())
            .registerStatus());
  }

  @Test
  void mqisReturnsTheImageStringsInEightByteWindows() throws Exception {
    ByteArrayOutputStream name = new ByteArrayOutputStream();
    int total;
    int offset = 0;
    do {
      Mqis reply =
          Mqis.decode(
              get(AccessRegister.MQIS, Mqis.query(Mqis.MODEL_NAME, offset, 8).encode())
                  .payload());
      total = reply.infoLength();
      name.write(reply.infoString(), 0, reply.readLength());
      offset += reply.readLength();
    } while (offset < total);
    // A 64-byte field, NUL padded, as a real ConnectX-5 answers the model name.
    assertEquals(0x40, total);
    assertEquals("MCX623106AN-CDAT",
        name.toString(StandardCharsets.US_ASCII).replaceAll("\u0000+$", ""));
  }

  @Test
  void mfsvReportsTheEfuses() throws Exception {
    Mfsv mfsv = Mfsv.decode(get(AccessRegister.MFSV, new byte[Mfsv.SIZE]).payload());
    assertEquals(2, mfsv.imgSecVer());
    assertEquals(2, mfsv.efusesSecVer());
    assertEquals(0, mfsv.fwSecVerStat());
    Mfrl mfrl = Mfrl.decode(get(AccessRegister.MFRL, new byte[Mfrl.SIZE]).payload());
    assertEquals(Mfrl.LEVEL_0_LIVE_PATCH | Mfrl.LEVEL_3_DRIVER_RESTART, mfrl.resetTrigger());
    assertEquals(RegisterStatus.BAD_PARAM,
        host.access(AccessRegister.MFRL, RegisterMethod.SET,
            Mfrl.request(Mfrl.LEVEL_4_WARM_REBOOT).encode()).registerStatus());
  }

  @Test
  void rawFlashRegistersAreBlockedOnSecureFw() throws Exception {
    for (AccessRegister blocked :
        new AccessRegister[] {
          AccessRegister.MFBA, AccessRegister.MFBE, AccessRegister.MFPA, AccessRegister.MFMC
        }) {
      for (RegisterMethod method : RegisterMethod.values()) {
        assertEquals(RegisterStatus.METHOD_NOT_SUPP,
            host.access(blocked, method, new byte[0x10C]).registerStatus(), blocked.name());
      }
    }
  }

  @Test
  void envelopeLevelErrors() throws Exception {
    assertEquals(RegisterStatus.REG_NOT_SUPP,
        RegisterEnvelope.request(0x1234, RegisterMethod.GET, new byte[8]).exchange(device)
            .registerStatus());
    assertEquals(RegisterStatus.METHOD_NOT_SUPP,
        host.access(AccessRegister.MGIR, RegisterMethod.SET, new byte[0xA0]).registerStatus());
    assertEquals(RegisterStatus.LEN_TOO_SMALL,
        host.access(AccessRegister.MCC, RegisterMethod.SET, new byte[16]).registerStatus());
    assertEquals(RegisterStatus.METHOD_NOT_SUPP,
        new RegisterEnvelope(0x9020, 3, 0, false, false, 1, 0, new byte[0xA0]).exchange(device)
            .registerStatus());
    assertEquals(RegisterStatus.CLASS_NOT_SUPP,
        new RegisterEnvelope(0x9020, 1, 0, false, false, 0x0A, 0, new byte[0xA0])
            .exchange(device).registerStatus());
    byte[] garbage = new byte[40];
    garbage[0] = 0x20;
    // Not decodable as an envelope: the buffer comes back with the status bits (dword 0, bits
    // 14..8) set to UNKNOWN_TLV and the response bit (dword 1, bit 15) set.
    byte[] reply = device.exchange(garbage);
    assertEquals(RegisterStatus.UNKNOWN_TLV.code(), reply[2] & 0x7F);
    assertEquals(0x80, reply[6] & 0x80);
  }

  @Test
  void csTokenInstallsThroughTheMccFlow() throws Exception {
    byte[] token = new byte[512];
    System.arraycopy(EmulatedDevice.CONFIG_FINGERPRINT, 0, token, 0, 16);
    int handle = host.lock();
    host.download(handle, EmulatedDevice.INDEX_CS_TOKEN, token);
    assertEquals(RegisterStatus.OK,
        host.mcc(MccInstruction.VERIFY_COMPONENT, 1, handle, 0).status());
    assertEquals(RegisterStatus.OK, host.mcc(MccInstruction.ACTIVATE, 1, handle, 0).status());
    host.mcc(MccInstruction.RELEASE_UPDATE_HANDLE, 1, handle, 0);
    assertEquals(ComponentStatus.PRESENT,
        Mcqs.decode(get(AccessRegister.MCQS, Mcqs.query(1).encode()).payload()).status());
    assertTrue(Files.exists(dir.resolve(EmulatedDevice.CS_TOKEN_FILE)));
    device.powerCycle();
    assertTrue(device.nvState().csToken(), "the token survives a reset");

    int second = host.lock();
    host.download(second, EmulatedDevice.INDEX_CS_TOKEN, new byte[256]);
    assertEquals(MccErrorCode.REJECTED_BAD_FORMAT,
        host.mcc(MccInstruction.VERIFY_COMPONENT, 1, second, 0).error());
  }

  @Test
  void hwAccessKeyLocksUpdatesUntilTheRightKeyUnlocks() throws Exception {
    long key = 0x1122334455667788L;
    assertFalse(Mlock.decode(get(AccessRegister.MLOCK, new byte[16]).payload()).locked());
    assertEquals(RegisterStatus.OK,
        host.access(AccessRegister.MLOCK, RegisterMethod.SET, new Mlock(Mlock.LOCK, key).encode())
            .registerStatus());
    Mlock state = Mlock.decode(get(AccessRegister.MLOCK, new byte[16]).payload());
    assertTrue(state.locked());
    assertEquals(0, state.key(), "the key is never read back");
    assertFalse(Files.readString(dir.resolve(NvState.FILE)).contains("1122334455667788"));
    // Updates are blocked; queries still work.
    int handle = host.query().mcc().updateHandle();
    assertEquals(RegisterStatus.METHOD_NOT_SUPP,
        host.access(AccessRegister.MCC, RegisterMethod.SET,
            Mcc.command(MccInstruction.LOCK_UPDATE_HANDLE, 0, handle, 0).encode())
            .registerStatus());
    assertEquals(FsmState.IDLE, host.query().state());
    // The lock survives a power cycle.
    device.powerCycle();
    assertTrue(device.nvState().hwAccessDisabled());
    assertEquals(RegisterStatus.BAD_PARAM,
        host.access(AccessRegister.MLOCK, RegisterMethod.SET,
            new Mlock(Mlock.UNLOCK, key + 1).encode()).registerStatus(), "wrong key");
    assertEquals(RegisterStatus.OK,
        host.access(AccessRegister.MLOCK, RegisterMethod.SET, new Mlock(Mlock.UNLOCK, key)
            .encode()).registerStatus());
    host.lock();
  }
}
