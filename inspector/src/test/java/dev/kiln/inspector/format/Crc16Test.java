package dev.kiln.inspector.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Test vectors from the shared research notes (fs4-format.md §2), measured against mstflint. */
class Crc16Test {

  @ParameterizedTest
  @CsvSource({
    "00000000, 0009",
    "ffffffff, C41A",
    "3132333435363738, B2AD",
    "313233343536373839303132, 9A79",
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b, 0E66",
    "49544f43040815162342cafabacafe00000000010000000000000000, 6A70"
  })
  void softwareCrcMatchesReferenceVectors(String hex, String expected) {
    byte[] data = HexFormat.of().parseHex(hex);
    assertEquals(Integer.parseInt(expected, 16), Crc16.sw(data));
    Crc16.Sw incremental = new Crc16.Sw();
    for (int i = 0; i < data.length; i += 4) {
      incremental.update(data, i, 4);
    }
    assertEquals(Integer.parseInt(expected, 16), incremental.value());
  }

  @ParameterizedTest
  @CsvSource({
    "000000000000, 0000",
    "000010000000, EB67",
    "000040000000, BD3F",
    "ffffffffffff, DCA7",
    "123456780000, 7E6F"
  })
  void hardwareCrcMatchesReferenceVectors(String hex, String expected) {
    byte[] data = HexFormat.of().parseHex(hex);
    assertEquals(Integer.parseInt(expected, 16), Crc16.hw(data, 0, data.length));
  }

  @Test
  void softwareCrcRejectsPartialDwords() {
    byte[] data = "123".getBytes(StandardCharsets.US_ASCII);
    assertThrows(IllegalArgumentException.class, () -> Crc16.sw(data));
  }
}
