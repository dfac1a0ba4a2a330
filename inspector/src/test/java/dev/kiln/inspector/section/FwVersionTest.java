package dev.kiln.inspector.section;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FwVersionTest {
  @Test
  void printsLikeMstflint() {
    assertEquals("22.41.1000", new FwVersion(22, 41, 1000).toString());
    assertEquals("16.5.0003", new FwVersion(16, 5, 3).toString());
    assertEquals("22.0100.0007", new FwVersion(22, 100, 7).toString());
    assertEquals("0.0.0000", new FwVersion(0, 0, 0).toString());
    assertEquals("65535.65535.65535", new FwVersion(65535, 65535, 65535).toString());
  }

  @Test
  void parsesBothPrintedForms() {
    assertEquals(new FwVersion(22, 41, 1000), FwVersion.parse("22.41.1000"));
    assertEquals(new FwVersion(22, 100, 7), FwVersion.parse("22.0100.0007"));
    assertEquals(new FwVersion(16, 5, 3), FwVersion.parse(" 16.5.0003 "));
    for (FwVersion v : List.of(new FwVersion(1, 99, 9999), new FwVersion(28, 100, 65535))) {
      assertEquals(v, FwVersion.parse(v.toString()));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "22.41", "22.41.1000.1", "22.x.1000", "22..1000", "-1.2.3",
      "65536.0.0", "22.41.1000 beta", "1.2.999999"})
  void rejectsWhatIsNotAVersion(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FwVersion.parse(text));
    assertTrue(e.getMessage().startsWith("FW version '"), e.getMessage());
  }

  @Test
  void ordersNumerically() {
    FwVersion newer = FwVersion.parse("22.41.1000");
    FwVersion older = FwVersion.parse("22.39.1002");
    assertTrue(newer.compareTo(older) > 0);
    assertTrue(newer.isNewerThan(older));
    assertTrue(FwVersion.parse("22.100.0").isNewerThan(FwVersion.parse("22.99.9999")));
    assertTrue(FwVersion.parse("23.0.0").isNewerThan(FwVersion.parse("22.65535.65535")));
    List<FwVersion> list = new ArrayList<>(List.of(
        FwVersion.parse("22.41.1000"), FwVersion.parse("22.9.5"), FwVersion.parse("22.39.1002")));
    Collections.sort(list);
    assertEquals(List.of(FwVersion.parse("22.9.5"), FwVersion.parse("22.39.1002"),
        FwVersion.parse("22.41.1000")), list);
  }

  @Test
  void rejectsOutOfRangeFields() {
    assertThrows(IllegalArgumentException.class, () -> new FwVersion(0x10000, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new FwVersion(0, -1, 0));
  }

  @Test
  void releaseDateIsStoredBcdAndPrintedWithHex() {
    ReleaseDate date = ReleaseDate.of(LocalDate.of(2023, 6, 15));
    assertEquals(new ReleaseDate(0x15, 0x06, 0x2023), date);
    assertEquals("15.6.2023", date.toString());
    assertEquals(date, ReleaseDate.parse("2023-06-15"));
    assertEquals(date, ReleaseDate.parse("15.6.2023"));
    assertEquals(LocalDate.of(2023, 6, 15), date.toLocalDate().orElseThrow());
    assertTrue(new ReleaseDate(0x1A, 1, 0x2023).toLocalDate().isEmpty());
    assertEquals("0.0.0", ReleaseDate.NONE.toString());
    assertThrows(IllegalArgumentException.class, () -> ReleaseDate.parse("2023-13-01"));
    assertThrows(IllegalArgumentException.class, () -> ReleaseDate.parse("yesterday"));
    assertThrows(IllegalArgumentException.class, () -> ReleaseDate.parse("1.2.10000"));
  }
}
