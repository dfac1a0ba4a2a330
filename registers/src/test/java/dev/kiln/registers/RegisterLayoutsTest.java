package dev.kiln.registers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bit positions of every modelled layout, checked against the tables of protocol doc §1.6. */
class RegisterLayoutsTest {

  private static String hex(byte[] bytes, int from, int to) {
    return HexFormat.of().formatHex(bytes, from, to);
  }

  @Test
  void mccFieldsSitWhereSection16Says() throws Exception {
    Mcc mcc =
        new Mcc(0x06, 0x12, 0xABC, 0x0102, 0xABCDEF, true, 0x3, 0x0F, 100, 0x2, 0x5,
            0xDEADBEEFL, 0x01, 0x345, 0x678, 0x9AB);
    byte[] reg = mcc.encode();
    assertEquals(Mcc.SIZE, reg.length);
    assertEquals("0abc1206", hex(reg, 0, 4));
    assertEquals("00000102", hex(reg, 4, 8));
    assertEquals("80abcdef", hex(reg, 8, 12));
    assertEquals("52640f03", hex(reg, 12, 16));
    assertEquals("deadbeef", hex(reg, 16, 20));
    assertEquals("03450001", hex(reg, 20, 24));
    assertEquals("09ab0678", hex(reg, 24, 28));
    assertEquals(mcc, Mcc.decode(reg));
    assertEquals(FsmState.DOWNLOAD, mcc.state());
    assertEquals(MccErrorCode.REJECTED_FORBIDDEN_VERSION, mcc.error());
    assertEquals("Forbidden version rejected", mcc.error().hostText());
  }

  @Test
  void mccRejectsValuesThatDoNotFit() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Mcc.command(MccInstruction.LOCK_UPDATE_HANDLE, 0, 0x1000000, 0));
  }

  @Test
  void mcdaReversesEachDwordOfTheImage() throws Exception {
    byte[] image = new byte[130];
    for (int i = 0; i < image.length; i++) {
      image[i] = (byte) i;
    }
    Mcda chunk = Mcda.fromImage(0x42, 128, image, 0, 128);
    byte[] reg = chunk.encode();
    assertEquals(Mcda.SIZE, reg.length);
    assertEquals("00000042", hex(reg, 0, 4));
    assertEquals("00000080", hex(reg, 4, 8));
    assertEquals("00000080", hex(reg, 8, 12));
    assertEquals("03020100", hex(reg, 0x10, 0x14));
    assertEquals("7f7e7d7c", hex(reg, 0x8C, 0x90));
    Mcda decoded = Mcda.decode(reg);
    assertEquals(chunk, decoded);
    assertArrayEquals(java.util.Arrays.copyOf(image, 128), decoded.imageBytes());

    Mcda tail = Mcda.fromImage(0x42, 128, image, 128, 2);
    assertArrayEquals(new byte[] {(byte) 128, (byte) 129}, Mcda.decode(tail.encode()).imageBytes());
  }

  @Test
  void mcqsRoundTrip() throws Exception {
    Mcqs mcqs = new Mcqs(3, 0x7FF, true, 0x6, 4, 2, 0x55, 1, 0xA, 0x5);
    byte[] reg = mcqs.encode();
    assertEquals("87ff0003", hex(reg, 0, 4));
    assertEquals("00000006", hex(reg, 4, 8));
    assertEquals("0000aa24", hex(reg, 8, 12));
    assertEquals("5a000001", hex(reg, 12, 16));
    assertEquals(mcqs, Mcqs.decode(reg));
    assertEquals(ComponentId.CS_TOKEN, mcqs.component());
    assertEquals(ComponentUpdateState.ACTIVE_PENDING_RESET, mcqs.updateState());
    assertEquals(ComponentStatus.IN_USE, mcqs.status());
  }

  @Test
  void mcqiWithCapabilities() throws Exception {
    McqiCapabilities caps =
        new McqiCapabilities(0x23, 0x100000, 0x800000, 128, 2, false, false, true, false, true,
            true);
    byte[] info = caps.encode();
    assertEquals("00000023", hex(info, 0, 4));
    assertEquals("20000080", hex(info, 12, 16));
    assertEquals("d0000000", hex(info, 16, 20));
    assertEquals(caps, McqiCapabilities.decode(info));
    assertTrue(caps.supports(McqiInfoType.VERSION));
    assertFalse(caps.supports(McqiInfoType.PUBLIC_KEYS));

    Mcqi request = Mcqi.query(0, McqiInfoType.CAPABILITIES, true);
    byte[] reqBytes = request.encode();
    assertEquals("80000000", hex(reqBytes, 0, 4));
    Mcqi reply = request.withInfo(info);
    byte[] reg = reply.encode();
    assertEquals(Mcqi.SIZE, reg.length);
    assertEquals("00000014", hex(reg, 0x0C, 0x10));
    assertEquals("00000014", hex(reg, 0x14, 0x18));
    assertEquals("00000023", hex(reg, 0x18, 0x1C));
    Mcqi decoded = Mcqi.decode(reg);
    assertEquals(reply, decoded);
    assertEquals(caps, McqiCapabilities.decode(decoded.data()));
  }

  @Test
  void mcqiVersionInfo() throws Exception {
    McqiVersion version =
        new McqiVersion(false, true, McqiVersion.packVersion(22, 41, 1000),
            McqiVersion.packBuildDate(25, 11, 2026), 0, 0, "rel-22_41_1000");
    byte[] info = version.encode();
    assertEquals(McqiVersion.SIZE, info.length);
    assertEquals("2000000e", hex(info, 0, 4));
    assertEquals("162903e8", hex(info, 4, 8));
    assertEquals("20261125", hex(info, 12, 16));
    McqiVersion decoded = McqiVersion.decode(info);
    assertEquals(version, decoded);
    assertEquals("22.41.1000", decoded.versionText());
  }

  @Test
  void activationMethodFlags() throws Exception {
    McqiActivationMethod method = new McqiActivationMethod(McqiActivationMethod.PENDING_FW_RESET);
    assertEquals("00000004", hex(method.encode(), 0, 4));
    assertTrue(McqiActivationMethod.decode(method.encode()).pendingFwReset());
  }

  @Test
  void mqisWindows() throws Exception {
    byte[] name =
        "ConnectX-6 Dx EN adapter card".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Mqis reply = Mqis.query(Mqis.MODEL_NAME, 24, 8).withInfo(name);
    byte[] reg = reply.encode();
    assertEquals("00000001", hex(reg, 0, 4));
    assertEquals("0000001d", hex(reg, 4, 8));
    assertEquals("00180005", hex(reg, 8, 12));
    assertEquals("206361726400", hex(reg, 0x10, 0x16));
    assertEquals(reply, Mqis.decode(reg));
  }

  @Test
  void mgirRoundTripAndSecureBits() throws Exception {
    Mgir mgir =
        new Mgir(4125, 0x00, 0x212, 0x0002C9ABCDEFL, 77, true, true, false, false, 0x1234,
            0x2026, 0x11, 0x25, 0x1310, "MT_0000000528", 0, 22, 41, 1000, 1, false, false,
            "");
    byte[] reg = mgir.encode();
    assertEquals(Mgir.SIZE, reg.length);
    assertEquals("0000101d", hex(reg, 0, 4));
    assertEquals("00000212", hex(reg, 8, 12));
    assertEquals("00000002c9abcdef", hex(reg, 0x10, 0x18));
    // secured (bit 24) and signed_fw (bit 25), then the deprecated major/minor/subminor bytes
    assertEquals("031629e8", hex(reg, 0x20, 0x24));
    assertEquals("4d545f30303030303030353238000000", hex(reg, 0x30, 0x40));
    assertEquals("00000001", hex(reg, 0x54, 0x58));
    Mgir decoded = Mgir.decode(reg);
    assertEquals(mgir, decoded);
    assertEquals("22.41.1000", decoded.versionText());
    assertEquals("GA SECURED", decoded.lifeCycleText());
  }

  @Test
  void mcamBitPositionsMatchWhatMstflintTests() throws Exception {
    Mcam group0 =
        Mcam.forRegisters(0, List.of(0x9020, 0x9060, 0x9061, 0x9062, 0x9063, 0x9064), new byte[16]);
    byte[] mask = group0.regCapMask();
    assertEquals(0x1F, mask[3]);
    assertEquals(0x01, mask[11]);
    assertEquals(0, mask[4] & 0x10); // MCDD clear
    assertTrue(group0.supportsRegister(0x9062));
    assertFalse(group0.supportsRegister(0x905C));
    Mcam group2 = Mcam.forRegisters(2, List.of(0x9162, 0x9115), new byte[16]);
    assertEquals(0x04, group2.regCapMask()[3]);
    assertEquals(0x20, group2.regCapMask()[13]);
    byte[] reg = group2.encode();
    assertEquals("00000002", hex(reg, 0, 4));
    assertEquals(0x04, reg[0x08 + 3]);
    assertEquals(group2, Mcam.decode(reg));
  }

  @Test
  void smallRegisters() throws Exception {
    Mfrl mfrl = new Mfrl(Mfrl.LEVEL_3_DRIVER_RESTART, 0x5, 0x2, 0x1, true, true);
    byte[] reg = mfrl.encode();
    assertEquals("aa000508", hex(reg, 4, 8));
    assertEquals(mfrl, Mfrl.decode(reg));

    assertEquals("00000007", hex(new Mirc(7).encode(), 0, 4));
    assertEquals(MircStatus.ALREADY_REACTIVATED, Mirc.decode(new Mirc(7).encode()).status());

    Mfsv mfsv = new Mfsv(true, 1, 1, 5, 3);
    byte[] fsv = mfsv.encode();
    assertEquals("0000000b", hex(fsv, 0, 4));
    assertEquals(mfsv, Mfsv.decode(fsv));

    Mlock mlock = new Mlock(Mlock.LOCK, 0x0123456789ABCDEFL);
    byte[] lock = mlock.encode();
    assertEquals("0123456789abcdef", hex(lock, 8, 16));
    assertEquals(mlock, Mlock.decode(lock));
  }

  @Test
  void shortPayloadsAreRejectedWithLenTooSmall() {
    RegisterFormatException e =
        assertThrows(RegisterFormatException.class, () -> Mcc.decode(new byte[16]));
    assertEquals("MCC payload is 16 bytes, the register needs 32", e.getMessage());
    assertEquals(RegisterStatus.LEN_TOO_SMALL, e.suggestedStatus());
  }

  @Test
  void codeTablesResolve() {
    assertEquals(MccInstruction.READ_PENDING_COMPONENT, MccInstruction.fromCode(0xB));
    assertEquals(MccErrorCode.UNKNOWN, MccErrorCode.fromCode(0x18));
    assertEquals(0x10F, MccErrorCode.REJECTED_FORBIDDEN_VERSION.hostError());
    assertEquals("Boot image", ComponentId.BOOT_IMG.hostName());
    assertEquals(AccessRegister.MIRC, AccessRegister.fromId(0x9162));
    assertEquals(8, AccessRegister.MIRC.size());
    assertEquals("FSMST_INITIALIZE", FsmState.INITIALIZE.hostLabel());
  }
}
