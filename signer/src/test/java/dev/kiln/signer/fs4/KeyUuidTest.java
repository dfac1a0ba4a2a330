package dev.kiln.signer.fs4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeyUuidTest {
  @Test
  void separatorsAndWhitespaceAreIgnored() {
    KeyUuid plain = KeyUuid.parse("00112233445566778899aabbccddeeff");
    assertEquals(plain, KeyUuid.parse("00112233-4455-6677-8899-AABBCCDDEEFF"));
    assertEquals(plain, KeyUuid.parse(" 0011:2233 4455\t6677-8899aabb ccdd eeff "));
    assertEquals("00112233445566778899aabbccddeeff", HexFormat.of().formatHex(plain.bytes()));
    assertEquals("00112233-4455-6677-8899-aabbccddeeff", plain.toString());
  }

  @Test
  void badDigitsAndLengthsAreRefused() {
    IllegalArgumentException notHex =
        assertThrows(IllegalArgumentException.class, () -> KeyUuid.parse("0011223344556677889g"));
    assertEquals(
        "bad key UUID '0011223344556677889g': only hexadecimal digits and the separators '-' and"
            + " ':' are allowed",
        notHex.getMessage());
    IllegalArgumentException shortOne =
        assertThrows(IllegalArgumentException.class, () -> KeyUuid.parse("0011-2233"));
    assertEquals(
        "bad key UUID '0011-2233': it must have 32 hexadecimal digits, found 8",
        shortOne.getMessage());
  }
}
