package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.Sleeper;
import dev.kiln.emulator.DeviceServer;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln device reactivate}: MIRC drops a pending update, after which the device runs the old
 * image across a reset, and a new burn is possible again.
 */
class DeviceReactivateCommandTest {
  @BeforeEach
  void fast() {
    DeviceOptions.sleeper = millis -> {};
  }

  @AfterEach
  void restore() {
    DeviceOptions.sleeper = Sleeper.REAL;
  }

  @Test
  void reactivationDropsThePendingImage(@TempDir Path dir) throws Exception {
    Path v1 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    Path v2 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.41.1000"), "v2");
    // A daemon keeps the device powered between commands, so the image stays pending.
    try (EmulatedDevice emulated = EmulatedDevice.open(BurnTestImages.device(dir.resolve("dev"),
            v1));
        DeviceServer server = DeviceServer.start(emulated, InetAddress.getLoopbackAddress(), 0)) {
      reactivate("tcp://127.0.0.1:" + server.port() + "?token-file=" + server.tokenFile(), v2);
    }
  }

  private static void reactivate(String device, Path v2) {
    assertEquals(0, kiln("burn", "--device", device, v2.toString(), "--yes").exitCode());

    // While an image is pending, a second burn is refused up front.
    Run blocked = kiln("burn", "--device", device, v2.toString(), "--yes", "--force");
    assertEquals(ExitCodes.CHECK_FAILED, blocked.exitCode());
    assertTrue(blocked.err().contains("PENDING_RESET"), blocked.err());

    Run reactivate = kiln("device", "reactivate", "--device", device);
    assertEquals(0, reactivate.exitCode(), reactivate.err());
    assertTrue(reactivate.out().contains("FW Image Reactivation succeeded"), reactivate.out());
    assertTrue(reactivate.out().contains("FW version on flash: 22.39.1002"), reactivate.out());

    Run reset = kiln("device", "reset", "--device", device);
    assertEquals(0, reset.exitCode(), reset.err());
    assertTrue(reset.out().contains("Running version: 22.39.1002"), reset.out());
    assertEquals(0, kiln("burn", "--device", device, v2.toString(), "--yes").exitCode());
  }
}
