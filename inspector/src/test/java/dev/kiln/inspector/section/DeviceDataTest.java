package dev.kiln.inspector.section;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.format.Crc16;
import dev.kiln.inspector.format.Dwords;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DeviceDataTest {
  @Test
  void uidEntryLayoutAndWideCounts() {
    UidEntry entry = new UidEntry(0x0c42a10300112233L, 0x1234, 2);
    byte[] bytes = entry.encode();
    assertEquals(0x00120234, Dwords.get(bytes, 0), "msb count, step, low count");
    assertEquals(0x0c42a103, Dwords.get(bytes, 8));
    assertEquals(0x00112233, Dwords.get(bytes, 12));
    assertEquals(entry, UidEntry.read(bytes, 0));
    assertEquals("0c42a10300112233", entry.uidHex());
    assertEquals("0c42a1112233", UidEntry.mac(0x0c42a1112233L, 4).macHex());
    assertEquals(0x0c42a1112233L, UidEntry.parseUid("0c:42:a1:11:22:33"));
    assertEquals(0x0c42a10300112233L, UidEntry.parseUid("0x0c42a10300112233"));
    assertThrows(IllegalArgumentException.class, () -> UidEntry.mac(1L << 48, 1));
    assertThrows(IllegalArgumentException.class, () -> UidEntry.parseUid("xyz"));
    assertThrows(IllegalArgumentException.class, () -> new UidEntry(0, 0x10000, 1));
  }

  @Test
  void mfgInfoRoundTripAndLayout() throws Exception {
    MfgInfo mfg = MfgInfo.of("MT_0000000359", new UidEntry(0x1122334455667788L, 16, 1),
        UidEntry.mac(0xAABBCCDDEEFFL, 8));
    byte[] body = mfg.encode();
    assertEquals(MfgInfo.SIZE, body.length);
    assertEquals(0x01000000, Dwords.get(body, 0x1C), "major 1 at 0x1C.24-31");
    assertEquals(mfg, MfgInfo.decode(body));
    assertThrows(SectionFormatException.class, () -> MfgInfo.decode(new byte[0x3C]));
  }

  @Test
  void devInfoCarriesSignatureAndInSectionCrc() throws Exception {
    DevInfo dev = DevInfo.of(new UidEntry(0x1122334455667788L, 16, 1),
        UidEntry.mac(0xAABBCCDDEEFFL, 8), "device vsd");
    byte[] body = dev.encode();
    assertEquals(DevInfo.SIZE, body.length);
    assertTrue(DevInfo.hasSignature(body));
    assertEquals(0x6D446576, Dwords.get(body, 0));
    assertEquals(2 << 8, Dwords.get(body, 0x10), "major 2 at 0x10.8-16");
    assertEquals(Crc16.sw(body, 0, 0x1FC), Dwords.get(body, 0x1FC));
    DevInfo back = DevInfo.decode(body);
    assertTrue(back.signatureValid());
    assertEquals(dev.guids(), back.guids());
    assertEquals("device vsd", back.vsd());
    assertEquals(Crc16.sw(body, 0, 0x1FC), back.storedCrc());

    byte[] blank = new byte[DevInfo.SIZE];
    Arrays.fill(blank, (byte) 0xFF);
    assertFalse(DevInfo.decode(blank).signatureValid());
    assertThrows(SectionFormatException.class, () -> DevInfo.decode(new byte[0x100]));
  }
}
