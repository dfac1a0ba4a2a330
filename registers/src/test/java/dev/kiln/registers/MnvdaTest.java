package dev.kiln.registers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** MNVDA NV_BASE_MAC_GUID layout: bit positions, round trip, malformed payloads. */
class MnvdaTest {
  @Test
  void baseMacGuidLayout() throws Exception {
    byte[] payload = Mnvda.baseMacGuid(0x0002c9a1b2c3L, 0x0002c90300a1b2c3L).encode();
    assertEquals(
        "00000010" + "00000002" + "00000000" + "00000002c9a1b2c3" + "0002c90300a1b2c3",
        HexFormat.of().formatHex(payload));
    Mnvda decoded = Mnvda.decode(payload);
    assertTrue(decoded.isBaseMacGuid());
    assertEquals(0x0002c9a1b2c3L, decoded.mac());
    assertEquals(0x0002c90300a1b2c3L, decoded.guid());
    assertArrayEquals(payload, decoded.encode());
  }

  @Test
  void malformedPayloadsAreBadParameters() {
    RegisterFormatException shortHeader =
        assertThrows(RegisterFormatException.class, () -> Mnvda.decode(new byte[8]));
    assertEquals(RegisterStatus.BAD_PARAM, shortHeader.suggestedStatus());
    byte[] lying = Mnvda.baseMacGuid(1, 2).encode();
    lying[3] = 0x40; // claims 64 data bytes, carries 16
    assertThrows(RegisterFormatException.class, () -> Mnvda.decode(lying));
  }

  @Test
  void otherTlvsAreNotBaseMacGuid() throws Exception {
    Mnvda other = new Mnvda(0, 0x3, new byte[16]);
    assertFalse(Mnvda.decode(other.encode()).isBaseMacGuid());
  }
}
