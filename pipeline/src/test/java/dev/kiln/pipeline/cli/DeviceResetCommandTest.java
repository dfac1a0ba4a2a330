package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.Sleeper;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln device reset}: MFRL makes the pending image run. */
class DeviceResetCommandTest {
  @BeforeEach
  void fast() {
    DeviceOptions.sleeper = millis -> {};
  }

  @AfterEach
  void restore() {
    DeviceOptions.sleeper = Sleeper.REAL;
  }

  @Test
  void resetRunsThePendingImage(@TempDir Path dir) throws Exception {
    Path v1 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    Path v2 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.41.1000"), "v2");
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), v1);
    assertEquals(0, kiln("burn", "--device", device, v2.toString(), "--yes").exitCode());
    Run reset = kiln("device", "reset", "--device", device);
    assertEquals(0, reset.exitCode(), reset.err());
    assertTrue(reset.out().contains("FW was loaded successfully"), reset.out());
    assertTrue(reset.out().contains("Running version: 22.41.1000"), reset.out());
    // A second reset with nothing pending keeps the image.
    Run again = kiln("device", "reset", "--device", device);
    assertEquals(0, again.exitCode(), again.err());
    assertTrue(again.out().contains("Running version: 22.41.1000"), again.out());
  }
}
