package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.Sleeper;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HW access key ({@code kiln device set-key}, {@code kiln device hw-access enable|disable}):
 * the key comes from a file, never argv; a locked device refuses a burn with the flint-style hint;
 * a wrong key is refused by the device.
 */
class DeviceHwAccessCommandTest {
  @BeforeEach
  void fast() {
    DeviceOptions.sleeper = millis -> {};
  }

  @AfterEach
  void restore() {
    DeviceOptions.sleeper = Sleeper.REAL;
  }

  @Test
  void setKeyLocksAndTheRightKeyUnlocks(@TempDir Path dir) throws Exception {
    Path v1 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    Path v2 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.41.1000"), "v2");
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), v1);
    Path key = Files.writeString(dir.resolve("key.txt"), "0x1122334455667788\n");
    Path wrong = Files.writeString(dir.resolve("wrong.txt"), "8877665544332211");

    Run set = kiln("device", "set-key", "--device", device, "--key-file", key.toString());
    assertEquals(0, set.exitCode(), set.err());
    assertTrue(set.out().contains("Secure Host was enabled successfully"), set.out());
    assertFalse(set.out().contains("1122334455667788"), "the key must never be printed");

    Run query = kiln("query", "--device", device);
    assertTrue(query.out().contains("HW Access:              disabled"), query.out());

    Run burn = kiln("burn", "--device", device, v2.toString(), "--yes");
    assertEquals(ExitCodes.DEVICE, burn.exitCode(), burn.err());
    assertTrue(burn.err().contains("HW access is disabled on the device"), burn.err());

    Run bad = kiln("device", "hw-access", "enable", "--device", device, "--key-file",
        wrong.toString());
    assertEquals(ExitCodes.DEVICE, bad.exitCode());
    assertTrue(bad.err().contains("The given key is incorrect"), bad.err());
    assertFalse(bad.err().contains("8877665544332211"));

    Run enable = kiln("device", "hw-access", "enable", "--device", device, "--key-file",
        key.toString());
    assertEquals(0, enable.exitCode(), enable.err());
    assertTrue(enable.out().contains("The Secure Host was disabled successfully"), enable.out());
    Run again = kiln("device", "hw-access", "enable", "--device", device, "--key-file",
        key.toString());
    assertTrue(again.out().contains("HW access already enabled"), again.out());

    assertEquals(0, kiln("burn", "--device", device, v2.toString(), "--yes").exitCode());

    Run disable = kiln("device", "hw-access", "disable", "--device", device, "--key-file",
        key.toString());
    assertEquals(0, disable.exitCode(), disable.err());
  }

  @Test
  void theKeyNeverComesFromArgv(@TempDir Path dir) {
    Run run = kiln("device", "set-key", "--device", "emu:" + dir, "1122334455667788");
    assertEquals(ExitCodes.USAGE, run.exitCode());
    Run missing = kiln("device", "set-key", "--device", "emu:" + dir, "--key-env",
        "KILN_TEST_SURELY_UNSET_VARIABLE");
    assertEquals(ExitCodes.KEY_ACCESS, missing.exitCode());
    assertTrue(missing.err().contains("is not set"), missing.err());
  }
}
