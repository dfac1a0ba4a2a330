package dev.kiln.inspector.section;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.format.Dwords;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForbiddenVersionsTest {
  private static final ForbiddenVersions SAMPLE = new ForbiddenVersions(List.of(
      ForbiddenVersions.Range.of(FwVersion.parse("22.39.1002")),
      new ForbiddenVersions.Range(FwVersion.parse("22.40.1000"), FwVersion.parse("22.40.1999"))));

  @Test
  void encodesTheDocumentedLayout() throws Exception {
    byte[] body = SAMPLE.encode(0x100);
    assertEquals(0x100, body.length);
    assertEquals(0x4B465631, Dwords.get(body, 0), "KFV1");
    assertEquals((1 << 16) | 3, Dwords.get(body, 4), "version 1, three entries");
    assertEquals((22 << 16) | 39, Dwords.get(body, 8));
    assertEquals(1002 << 16, Dwords.get(body, 12), "exact entry: flags 0");
    assertEquals((1000 << 16) | 1, Dwords.get(body, 20), "range start: flags 1");
    assertEquals(1999 << 16, Dwords.get(body, 28), "range end: flags 0");
    for (int i = 8 + 3 * 8; i < body.length; i++) {
      assertEquals(0, body[i]);
    }
    assertEquals(SAMPLE, ForbiddenVersions.decode(body));
  }

  @Test
  void blankSectionsForbidNothing() throws Exception {
    byte[] ones = new byte[0x100];
    Arrays.fill(ones, (byte) 0xFF);
    assertEquals(ForbiddenVersions.NONE, ForbiddenVersions.decode(ones));
    assertEquals(ForbiddenVersions.NONE, ForbiddenVersions.decode(new byte[0x100]));
    assertEquals(ForbiddenVersions.NONE, ForbiddenVersions.decode(new byte[0]));
    assertEquals(ForbiddenVersions.NONE,
        ForbiddenVersions.decode(ForbiddenVersions.NONE.encode(8)));
  }

  @Test
  void answersMembership() {
    assertTrue(SAMPLE.forbids(FwVersion.parse("22.39.1002")));
    assertTrue(SAMPLE.forbids(FwVersion.parse("22.40.1000")));
    assertTrue(SAMPLE.forbids(FwVersion.parse("22.40.1999")));
    assertFalse(SAMPLE.forbids(FwVersion.parse("22.40.2000")));
    assertFalse(SAMPLE.forbids(FwVersion.parse("22.39.1003")));
  }

  @Test
  void capacityIsEnforced() {
    assertEquals(31, ForbiddenVersions.capacity(0x100));
    assertEquals(0, ForbiddenVersions.capacity(8));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SAMPLE.encode(0x18));
    assertEquals("3 forbidden-version entries do not fit a 0x18-byte FORBIDDEN_VERSIONS section "
        + "(room for 2)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ForbiddenVersions.Range(
        FwVersion.parse("2.0.0"), FwVersion.parse("1.0.0")));
  }

  @Test
  void reportsEveryInconsistency() {
    byte[] good = SAMPLE.encode(0x40);
    assertProblem(patch(good, 0, 0x4B465632), "FORBIDDEN_VERSIONS magic is 0x4b465632, not "
        + "0x4b465631 (\"KFV1\")");
    assertProblem(patch(good, 4, (2 << 16) | 3),
        "FORBIDDEN_VERSIONS layout version 2 is not supported (only 1)");
    assertProblem(patch(good, 4, (1 << 16) | 8),
        "FORBIDDEN_VERSIONS claims 8 entries; a 0x40-byte section holds 7");
    assertProblem(patch(good, 12, (1002 << 16) | 5),
        "FORBIDDEN_VERSIONS entry 0 at 0x8 has unknown flags 0x5");
    assertProblem(patch(good, 28, (1999 << 16) | 1),
        "FORBIDDEN_VERSIONS entry 2 at 0x18 ends a range but has flags 0x1");
    assertProblem(patch(good, 4, (1 << 16) | 2),
        "FORBIDDEN_VERSIONS entry 1 at 0x10 starts a range but is the last entry");
    assertProblem(patch(good, 24, (22 << 16) | 10),
        "FORBIDDEN_VERSIONS range at 0x10 runs backwards (22.40.1000..22.10.1999)");
    assertProblem(patch(good, 0x3C, 1),
        "FORBIDDEN_VERSIONS has non-zero byte 0x01 at 0x3f after its 3 entries");
    assertProblem(new byte[] {0x4B, 0x46, 0x56},
        "FORBIDDEN_VERSIONS is 3 bytes, shorter than its 8-byte header");
  }

  private static byte[] patch(byte[] body, int offset, int dword) {
    byte[] copy = body.clone();
    Dwords.put(copy, offset, dword);
    return copy;
  }

  private static void assertProblem(byte[] body, String message) {
    SectionFormatException e =
        assertThrows(SectionFormatException.class, () -> ForbiddenVersions.decode(body));
    assertEquals(message, e.getMessage());
  }
}
