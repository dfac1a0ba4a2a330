package dev.kiln.registers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * MVTS bit positions, checked against what mstflint 4.21's {@code tools_open_mvts_pack} (with the
 * nested fw_version and ts_entry packers) puts on the wire for the requests {@code DeviceTimeStamp}
 * sends.
 */
class MvtsTest {
  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  @Test
  void queryOfTheRunningEntrySetsBit30Only() {
    // DeviceTimeStamp::queryTimeStamp(..., true): memset 0, running_flag = 1.
    assertEquals("40000000" + "00".repeat(16), hex(Mvts.query(true).encode()));
    // queryTimeStamp(..., false), what TestAndSetTimeStamp reads first: all zero.
    assertEquals("00".repeat(20), hex(Mvts.query(false).encode()));
  }

  @Test
  void clearSetsBit31Only() {
    assertEquals("80000000" + "00".repeat(16), hex(Mvts.clear().encode()));
  }

  @Test
  void timestampFieldsSitWhereTheLayoutSays() throws Exception {
    // FW 16.35.4506 stamped 2025-03-14 09:26:53 (BCD).
    Mvts.Timestamp stamp = new Mvts.Timestamp(16, 35, 4506, 0x2025, 0x03, 0x14, 0x09, 0x26, 0x53);
    byte[] reg = Mvts.set(stamp).encode();
    assertEquals(Mvts.SIZE, reg.length);
    assertEquals(
        "00000000" + "00100000" + "0023119a" + "20250314" + "09265300", hex(reg));
    Mvts decoded = Mvts.decode(reg);
    assertEquals(stamp, decoded.timestamp());
    assertFalse(decoded.running() || decoded.clearAll() || decoded.checkTimestamp());
    assertFalse(stamp.isNone());
    assertTrue(Mvts.Timestamp.NONE.isNone());
  }

  @Test
  void checkFlagIsBit29() throws Exception {
    byte[] reg = new byte[Mvts.SIZE];
    reg[0] = 0x20;
    Mvts decoded = Mvts.decode(reg);
    assertTrue(decoded.checkTimestamp());
    assertFalse(decoded.running() || decoded.clearAll());
  }

  @Test
  void laterTimesOrderAfterEarlierOnes() {
    Mvts.Timestamp older = new Mvts.Timestamp(1, 2, 3, 0x2024, 0x12, 0x31, 0x23, 0x59, 0x59);
    Mvts.Timestamp newer = new Mvts.Timestamp(1, 2, 3, 0x2025, 0x01, 0x01, 0x00, 0x00, 0x00);
    assertTrue(older.chronologicalKey() < newer.chronologicalKey());
  }

  @Test
  void shortPayloadIsTooSmallAndFieldsAreBounded() {
    RegisterFormatException tooShort =
        assertThrows(RegisterFormatException.class, () -> Mvts.decode(new byte[16]));
    assertEquals(RegisterStatus.LEN_TOO_SMALL, tooShort.suggestedStatus());
    assertThrows(
        IllegalArgumentException.class, () -> new Mvts.Timestamp(0x10000, 0, 0, 0, 0, 0, 0, 0, 0));
    assertEquals(0x14, AccessRegister.MVTS.size());
  }
}
