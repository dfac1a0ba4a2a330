package dev.kiln.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.registers.FsmState;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.MccErrorCode;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.Mnvda;
import dev.kiln.registers.Mvts;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterStatus;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The emulator answers the exact request bytes mstflint 4.21 sends, as a secure-FW device does.
 * Each request is spelled out in hex as mstflint builds it (operation TLV from
 * {@code init_operation_tlv}, register TLV header, register bytes; mtcr_ul/mtcr_ul_com.c
 * {@code mreg_send_raw}); the MNVDA requests are byte for byte what mstflint sent a real
 * ConnectX-5 in shared/fixtures/real-cx5-query (transactions 37-40).
 */
class MstflintRequestsTest {
  private static final HexFormat HEX = HexFormat.of();
  /** Operation TLV of a GET (method 1) of register {@code id}, class 1. */
  private static final String GET = "08040000%04x0101" + "0000000000000000";
  /** Operation TLV of a SET (method 2). */
  private static final String SET = "08040000%04x0201" + "0000000000000000";

  @TempDir static Path work;
  static byte[] running;

  @TempDir Path dir;
  EmulatedDevice device;
  SimpleHost host;

  @BeforeAll
  static void images() throws Exception {
    running =
        TestImages.build(
            work,
            TestImages.spec(22, 41, 1000)
                .withForbidden(
                    new ForbiddenVersions(
                        List.of(ForbiddenVersions.Range.of(new FwVersion(22, 40, 500))))));
  }

  @BeforeEach
  void open() throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), running);
    device = EmulatedDevice.open(dir);
    host = new SimpleHost(device);
  }

  @AfterEach
  void close() {
    device.close();
  }

  private byte[] send(String hex) throws Exception {
    return device.exchange(HEX.parseHex(hex));
  }

  private static RegisterStatus status(byte[] reply) throws Exception {
    return RegisterEnvelope.decode(reply).registerStatus();
  }

  private static byte[] payload(byte[] reply) throws Exception {
    return RegisterEnvelope.decode(reply).payload();
  }

  /** MVTS request: operation TLV, register TLV of 6 dwords (4 + 20 bytes), the register. */
  private static String mvts(String op, String register) {
    return String.format(op, 0x902C) + "18060000" + register;
  }

  @Test
  void mvtsQueriesBeforeABurnFindNoTimestampAndTheBurnMayGoOn() throws Exception {
    // DeviceTimeStamp::queryTimeStamp(next): all zero; then (running): running_flag only.
    byte[] next = send(mvts(GET, "00".repeat(20)));
    assertEquals(RegisterStatus.OK, status(next));
    assertEquals("00".repeat(20), HEX.formatHex(payload(next)),
        "an all-zero entry is mstflint's 'no valid timestamp'");
    byte[] current = send(mvts(GET, "40000000" + "00".repeat(16)));
    assertEquals(RegisterStatus.OK, status(current));
    assertEquals("40000000" + "00".repeat(16), HEX.formatHex(payload(current)));
  }

  @Test
  void mvtsSetStoresTheNextEntryWhichRunsAfterTheStampedImageBoots() throws Exception {
    // DeviceTimeStamp::setTimeStamp: no flag, FW 22.42.1010, 2026-12-04 03:15:00 (BCD).
    String stamp = "00160000" + "002a03f2" + "20261204" + "03150000";
    assertEquals(RegisterStatus.OK, status(send(mvts(SET, "00000000" + stamp))));
    assertEquals("00000000" + stamp, HEX.formatHex(payload(send(mvts(GET, "00".repeat(20))))));
    assertEquals(Mvts.Timestamp.NONE,
        Mvts.decode(payload(send(mvts(GET, "40000000" + "00".repeat(16))))).timestamp());

    // A component of another version is refused by the device (check_user_timestamp).
    byte[] other = TestImages.build(work, TestImages.spec(22, 42, 1020));
    assertEquals(MccErrorCode.REJECTED_USER_TIMESTAMP_MISMATCH, host.burn(other));
    // The stamped version burns; after the reset the stamp is the running image's.
    byte[] stamped = TestImages.build(work, TestImages.spec(22, 42, 1010));
    assertEquals(MccErrorCode.OK, host.burn(stamped));
    assertEquals(RegisterStatus.OK, host.reset());
    assertEquals("40000000" + stamp,
        HEX.formatHex(payload(send(mvts(GET, "40000000" + "00".repeat(16))))));
    assertEquals("00".repeat(20), HEX.formatHex(payload(send(mvts(GET, "00".repeat(20))))));

    // The entries are NVRAM: they survive a power cycle.
    device.close();
    device = EmulatedDevice.open(dir);
    assertEquals("40000000" + stamp,
        HEX.formatHex(payload(send(mvts(GET, "40000000" + "00".repeat(16))))));

    // Older than the running entry: BAD_CONFIG, which mstflint prints as "Timestamp is too old".
    String older = "00160000" + "002a03f2" + "20251204" + "03150000";
    assertEquals(RegisterStatus.BAD_CONFIG, status(send(mvts(SET, "00000000" + older))));
    // DeviceTimeStamp::resetTimeStamp: clear_all_ts_flag clears both entries.
    assertEquals(RegisterStatus.OK, status(send(mvts(SET, "80000000" + "00".repeat(16)))));
    assertEquals("40000000" + "00".repeat(16),
        HEX.formatHex(payload(send(mvts(GET, "40000000" + "00".repeat(16))))));
  }

  /** MNVDA GET as runNVDA builds it: length 64, the default bit, the TLV type; room for 64. */
  private static String mnvdaGet(boolean queryDefault, int type) {
    return String.format(GET, 0x9024) + "18140000"
        + (queryDefault ? "00800040" : "00000040") + String.format("%08x", type) + "00000000"
        + "00".repeat(64);
  }

  @Test
  void mnvdaAnswersTheFourReadsOfQueryWithTheTlvsOwnLengths() throws Exception {
    Mnvda current = Mnvda.decode(payload(send(mnvdaGet(false, 2))));
    assertEquals(Mnvda.BASE_MAC_GUID_LENGTH, current.length());
    assertEquals(Mnvda.RD_EN_BIT | Mnvda.OVER_EN_BIT, current.flags(), "as a real ConnectX-5");
    assertEquals(0x0002C9ABCDEFL, current.mac());
    assertEquals(0x0002C90300ABCDEFL, current.guid());

    Mnvda factory = Mnvda.decode(payload(send(mnvdaGet(true, 2))));
    assertTrue(factory.queryDefault(), "the default bit is echoed");
    assertEquals(0x0002C9ABCDEFL, factory.mac());

    Mnvda cap = Mnvda.decode(payload(send(mnvdaGet(false, 3))));
    assertEquals(Mnvda.BASE_MAC_GUID_CAP_LENGTH, cap.length());
    assertEquals("c000000000080008", HEX.formatHex(cap.data()), "mac_en, guid_en, 8 GUIDs, 8 MACs");
    Mnvda capDefault = Mnvda.decode(payload(send(mnvdaGet(true, 3))));
    assertEquals(8, capDefault.allocatedGuids());
    assertEquals(8, capDefault.allocatedMacs());
    assertEquals(76, payload(send(mnvdaGet(false, 3))).length, "the reply fills the request");
  }

  @Test
  void mnvdaSetOfSgChangesTheCurrentValueNotTheFactoryOne() throws Exception {
    // FwCompsMgr::setMacsGuids: type 2, length 16: MAC as queried, the new GUID.
    String set = String.format(SET, 0x9024) + "18080000" + "00000010" + "00000002" + "00000000"
        + "000002c9abcdef00" + "0002c90300000099";
    assertEquals(RegisterStatus.OK, status(send(set)));
    Mnvda current = Mnvda.decode(payload(send(mnvdaGet(false, 2))));
    assertEquals(0x0002C90300000099L, current.guid());
    assertEquals(0x02C9ABCDEF00L, current.mac());
    assertEquals(0x0002C90300ABCDEFL, Mnvda.decode(payload(send(mnvdaGet(true, 2)))).guid());
  }

  @Test
  void theResendOfARejectedVerifyCarryingTheReplyGetsTheSameRefusal() throws Exception {
    int handle = host.lock();
    byte[] forbidden = TestImages.build(work, TestImages.spec(22, 40, 500));
    host.download(handle, EmulatedDevice.INDEX_BOOT_IMG, TestImages.component(forbidden));
    byte[] verify = RegisterEnvelope.request(dev.kiln.registers.AccessRegister.MCC,
            dev.kiln.registers.RegisterMethod.SET,
            Mcc.command(MccInstruction.VERIFY_COMPONENT, 0, handle, 0).encode())
        .encode();
    byte[] first = device.exchange(verify);
    assertEquals(RegisterStatus.BAD_PARAM, status(first));
    assertEquals(MccErrorCode.REJECTED_FORBIDDEN_VERSION, Mcc.decode(payload(first)).error());
    // mreg_send_raw's resend: the request's TLV headers, the first reply's register bytes.
    byte[] resend = verify.clone();
    System.arraycopy(first, RegisterEnvelope.HEADER_SIZE, resend, RegisterEnvelope.HEADER_SIZE,
        verify.length - RegisterEnvelope.HEADER_SIZE);
    assertTrue(!Arrays.equals(verify, resend), "the resend is not byte-identical");
    byte[] second = device.exchange(resend);
    assertArrayEquals(first, second);
    // One resend only: the same bytes a third time are a new VERIFY, illegal in LOCKED.
    byte[] third = device.exchange(resend);
    assertEquals(MccErrorCode.ERROR, Mcc.decode(payload(third)).error());
  }

  @Test
  void theHandleReadOnceLocksAgainAfterItsOwnersReleaseButNotAfterAForcedOne() throws Exception {
    // FwCompsMgr::initialize reads the handle once (GenerateHandle); readComponent locks,
    // releases, and locks again with it.
    int handle = host.query().mcc().updateHandle();
    for (int round = 0; round < 2; round++) {
      SimpleHost.MccReply lock = host.mcc(MccInstruction.LOCK_UPDATE_HANDLE, 0, handle, 0);
      assertEquals(FsmState.LOCKED, lock.state(), "round " + round);
      assertEquals(FsmState.IDLE,
          host.mcc(MccInstruction.RELEASE_UPDATE_HANDLE, 0, handle, 0).state());
    }
    host.mcc(MccInstruction.LOCK_UPDATE_HANDLE, 0, handle, 0);
    host.mcc(MccInstruction.FORCE_HANDLE_RELEASE, 0, 0, 0);
    assertEquals(MccErrorCode.ERROR,
        host.mcc(MccInstruction.LOCK_UPDATE_HANDLE, 0, handle, 0).error(),
        "a session taken away retires its handle");
    int next = host.query().mcc().updateHandle();
    device.powerCycle();
    assertTrue(host.query().mcc().updateHandle() != next, "a new handle at every power-on");
  }

  @Test
  void mccRepliesEchoTheRequestsComponentSize() throws Exception {
    int handle = host.lock();
    host.download(handle, EmulatedDevice.INDEX_BOOT_IMG, new byte[4096]);
    host.mcc(MccInstruction.CANCEL, 0, handle, 0);
    // After a session of 4096 bytes, a QUERY with component_size 0 is answered with 0.
    SimpleHost.MccReply query = host.mcc(MccInstruction.QUERY, 0, handle, 0);
    assertEquals(FsmState.LOCKED, query.state());
    assertEquals(0, query.mcc().componentSize());
    SimpleHost.MccReply update = host.mcc(MccInstruction.UPDATE_COMPONENT, 0, handle, 2048);
    assertEquals(2048, update.mcc().componentSize());
  }
}
