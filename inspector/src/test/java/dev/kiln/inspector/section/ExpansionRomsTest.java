package dev.kiln.inspector.section;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * ExpansionRoms on hostile input: records cut off by the end of the section, tags at every
 * position, lengths that point outside. It must never throw and always say something. (What it
 * shows for well-formed ROMs is compared with mstflint in the pipeline's RomInfoMstflintTest.)
 */
class ExpansionRomsTest {
  private static final byte[] TAG = "mlxsign:".getBytes(StandardCharsets.US_ASCII);

  @Test
  void aRecordCutOffByTheEndIsAnErrorNotACrash() {
    for (int extra = 0; extra < 16; extra++) {
      byte[] section = new byte[0x40 + TAG.length + extra];
      System.arraycopy(TAG, 0, section, 0x40, TAG.length);
      if (extra > 2) {
        section[0x40 + TAG.length + 2] = 0x10; // product id PXE
      }
      ExpansionRoms roms = ExpansionRoms.decode(section);
      String text = roms.text(23);
      assertNotNull(text);
      if (roms.roms().isEmpty()) {
        assertTrue(text.startsWith("N/A (-E- "), text);
      }
    }
  }

  @Test
  void noTagGivesMstflintsError() {
    ExpansionRoms roms = ExpansionRoms.decode(new byte[64]);
    assertEquals("N/A (-E- Cannot get ROM version. Signature not found.)", roms.text(23));
    assertNull(roms.warning());
  }

  @Test
  void randomSectionsWithTagsAnywhereNeverThrow() {
    Random random = new Random(20261125L);
    for (int i = 0; i < 5000; i++) {
      byte[] section = new byte[random.nextInt(300)];
      random.nextBytes(section);
      for (int tags = random.nextInt(4); tags > 0 && section.length >= TAG.length; tags--) {
        System.arraycopy(TAG, 0, section, random.nextInt(section.length - TAG.length + 1),
            TAG.length);
      }
      ExpansionRoms roms = ExpansionRoms.decode(section);
      assertTrue(roms.roms().size() <= ExpansionRoms.MAX_ROMS);
      assertTrue(roms.roms().isEmpty() == (roms.error() != null) || !roms.roms().isEmpty(),
          roms.toString());
      assertNotNull(roms.text(23));
    }
  }
}
