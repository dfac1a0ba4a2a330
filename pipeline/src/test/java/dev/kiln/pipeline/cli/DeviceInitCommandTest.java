package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.emulator.DeviceMode;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln device init}: a device directory from a first image, and its refusals. */
class DeviceInitCommandTest {
  @TempDir static Path work;
  static Path image;

  @BeforeAll
  static void build() throws Exception {
    image = BurnTestImages.signed(work, SampleFirmware.Spec.secure("22.41.1000"), "v1");
  }

  @Test
  void createsADeviceRunningTheImage(@TempDir Path dir) throws Exception {
    Path device = dir.resolve("dev");
    BurnTestImages.Run run =
        kiln("device", "init", device.toString(), "--device", "cx6dx", "--psid",
            SampleFirmware.PSID, "--image", image.toString(), "--flash-size", "8M");
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("running 22.41.1000"), run.out());
    assertTrue(Files.exists(device.resolve("device.properties")));
    assertEquals(8L << 20, Files.size(device.resolve(EmulatedDevice.FLASH_FILE)));
    try (EmulatedDevice emulated = EmulatedDevice.open(device)) {
      assertEquals(DeviceMode.SECURE_FW, emulated.mode());
      assertEquals(SampleFirmware.PSID, emulated.identity().psid());
    }
  }

  @Test
  void wrongPsidFailsTheCheck(@TempDir Path dir) {
    BurnTestImages.Run run =
        kiln("device", "init", dir.resolve("dev").toString(), "--device", "cx6dx", "--psid",
            "MT_0000000999", "--image", image.toString());
    assertEquals(ExitCodes.CHECK_FAILED, run.exitCode(), run.err());
    assertTrue(run.err().startsWith("kiln: "), run.err());
    assertTrue(run.err().contains("differs from device PSID MT_0000000999"), run.err());
    assertEquals(1, run.err().lines().count());
    assertFalse(Files.exists(dir.resolve("dev").resolve("device.properties")));
  }

  @Test
  void wrongDeviceFailsTheCheck(@TempDir Path dir) {
    BurnTestImages.Run run =
        kiln("device", "init", dir.resolve("dev").toString(), "--device", "cx7", "--psid",
            SampleFirmware.PSID, "--image", image.toString());
    assertEquals(ExitCodes.CHECK_FAILED, run.exitCode(), run.err());
  }

  @Test
  void unreadableImageIsExitThree(@TempDir Path dir) throws Exception {
    Path notAnImage = dir.resolve("x.bin");
    Files.write(notAnImage, new byte[4096]);
    BurnTestImages.Run run =
        kiln("device", "init", dir.resolve("dev").toString(), "--device", "cx6dx", "--psid",
            SampleFirmware.PSID, "--image", notAnImage.toString());
    assertEquals(ExitCodes.UNREADABLE_INPUT, run.exitCode(), run.err());
    BurnTestImages.Run missing =
        kiln("device", "init", dir.resolve("dev2").toString(), "--device", "cx6dx", "--psid",
            SampleFirmware.PSID, "--image", dir.resolve("missing.bin").toString());
    assertEquals(ExitCodes.UNREADABLE_INPUT, missing.exitCode(), missing.err());
  }

  @Test
  void usageErrors(@TempDir Path dir) throws Exception {
    assertEquals(ExitCodes.USAGE,
        kiln("device", "init", dir.resolve("a").toString(), "--device", "cx99", "--psid", "P",
            "--image", image.toString()).exitCode());
    assertEquals(ExitCodes.USAGE,
        kiln("device", "init", dir.resolve("b").toString(), "--device", "cx6dx", "--psid",
            SampleFirmware.PSID, "--image", image.toString(), "--flash-size", "lots").exitCode());
    Files.createDirectories(dir.resolve("full"));
    Files.writeString(dir.resolve("full").resolve("keep.txt"), "data");
    BurnTestImages.Run full =
        kiln("device", "init", dir.resolve("full").toString(), "--device", "cx6dx", "--psid",
            SampleFirmware.PSID, "--image", image.toString());
    assertEquals(ExitCodes.USAGE, full.exitCode());
    assertEquals("data", Files.readString(dir.resolve("full").resolve("keep.txt")));
    assertEquals(ExitCodes.USAGE,
        kiln("device", "init", dir.resolve("c").toString(), "--device", "cx6dx", "--psid",
            SampleFirmware.PSID, "--image", image.toString(), "--flash-size", "4K").exitCode(),
        "a flash too small for two slots of the image");
  }
}
