package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.burner.Sleeper;
import dev.kiln.emulator.DeviceServer;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flash-recovery (livefish): a device whose flash holds no valid image boots into recovery; kiln
 * detects and names it, refuses a normal burn, and {@code kiln burn --psid PSID} restores it
 * through the recovery gateway, in-process and over the daemon.
 */
class BurnRecoveryTest {
  @BeforeEach
  void fast() {
    DeviceOptions.sleeper = millis -> {};
  }

  @AfterEach
  void restore() {
    DeviceOptions.sleeper = Sleeper.REAL;
  }

  /** A device whose only image has lost its magic pattern: nothing valid to boot. */
  private static Path bricked(Path dir, Path image) throws Exception {
    Path device = BurnTestImages.device(dir.resolve("dev"), image);
    try (RandomAccessFile flash =
        new RandomAccessFile(device.resolve(EmulatedDevice.FLASH_FILE).toFile(), "rw")) {
      flash.write(new byte[16]);
    }
    return device;
  }

  private static void recover(String device, Path image) throws Exception {
    Run query = kiln("query", "--device", device);
    assertEquals(ExitCodes.DEVICE, query.exitCode());
    assertTrue(query.err().contains("livefish"), query.err());
    assertTrue(query.err().contains("--psid PSID"), query.err());

    Run plain = kiln("burn", "--device", device, image.toString(), "--yes");
    assertEquals(ExitCodes.DEVICE, plain.exitCode());
    assertTrue(plain.err().contains("recovery mode"), plain.err());

    Run wrongPsid =
        kiln("burn", "--device", device, image.toString(), "--yes", "--psid", "MT_0000000001");
    assertEquals(ExitCodes.CHECK_FAILED, wrongPsid.exitCode());

    Run restore =
        kiln("burn", "--device", device, image.toString(), "--yes", "--psid",
            SampleFirmware.PSID, "--json");
    assertEquals(0, restore.exitCode(), restore.err() + restore.out());
    assertTrue(new ObjectMapper().readTree(restore.out()).get("recovered").asBoolean());

    Run after = kiln("query", "--device", device, "--json");
    assertEquals(0, after.exitCode(), after.err());
    assertEquals(
        "22.39.1002", new ObjectMapper().readTree(after.out()).get("runningVersion").asText());
  }

  @Test
  void restoresInProcess(@TempDir Path dir) throws Exception {
    Path image = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    recover("emu:" + bricked(dir, image), image);
  }

  @Test
  void restoresOverTheDaemon(@TempDir Path dir) throws Exception {
    Path image = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    try (EmulatedDevice device = EmulatedDevice.open(bricked(dir, image));
        DeviceServer server = DeviceServer.start(device, InetAddress.getLoopbackAddress(), 0)) {
      recover("tcp://127.0.0.1:" + server.port() + "?token-file=" + server.tokenFile(), image);
    }
  }

  @Test
  void anUnsignedImageIsNotWrittenIntoARecoveringDevice(@TempDir Path dir) throws Exception {
    Path good = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    Path unsigned =
        BurnTestImages.unsigned(dir, SampleFirmware.Spec.secure("22.41.1000"), "unsigned");
    String device = "emu:" + bricked(dir, good);
    Run run =
        kiln("burn", "--device", device, unsigned.toString(), "--yes", "--psid",
            SampleFirmware.PSID);
    assertEquals(ExitCodes.CHECK_FAILED, run.exitCode(), run.err());
    assertTrue(run.err().contains("refused to restore"), run.err());
  }
}
