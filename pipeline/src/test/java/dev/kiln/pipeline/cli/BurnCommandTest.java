package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.emulator.pci.EmulatedConfigSpace;
import dev.kiln.emulator.DeviceServer;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln burn} end to end: build, sign with the sample key ({@code kiln sign}), burn into an
 * emulated device over each transport, reset, query: the new version runs.
 */
class BurnCommandTest {
  @TempDir static Path images;
  static Path v1;
  static Path v2;

  @BeforeAll
  static void buildImages() throws Exception {
    v1 = BurnTestImages.signed(images, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    v2 = BurnTestImages.signed(images, SampleFirmware.Spec.secure("22.41.1000"), "v2");
  }

  @BeforeEach
  void fastPolls() {
    DeviceOptions.sleeper = millis -> {};
  }

  @AfterEach
  void restore() {
    DeviceOptions.configSpacesForTests = null;
    DeviceOptions.sleeper = dev.kiln.burner.Sleeper.REAL;
  }

  static JsonNode json(String text) throws Exception {
    return new ObjectMapper().readTree(text);
  }

  private static void burnResetQuery(String device) throws Exception {
    Run before = kiln("query", "--device", device, "--json");
    assertEquals(0, before.exitCode(), before.err());
    assertEquals("22.39.1002", json(before.out()).get("runningVersion").asText());

    Run burn = kiln("burn", "--device", device, v2.toString(), "--yes", "--json");
    assertEquals(0, burn.exitCode(), burn.err() + burn.out());
    JsonNode result = json(burn.out());
    assertTrue(result.get("ok").asBoolean());
    assertEquals("22.41.1000", result.get("pendingVersion").asText());
    assertEquals("22.39.1002", result.get("runningVersion").asText());

    Run reset = kiln("device", "reset", "--device", device);
    assertEquals(0, reset.exitCode(), reset.err());

    Run after = kiln("query", "--device", device, "--json");
    assertEquals(0, after.exitCode(), after.err());
    JsonNode profile = json(after.out());
    assertEquals("22.41.1000", profile.get("runningVersion").asText());
    assertTrue(profile.get("pendingVersion").isNull());
  }

  @Test
  void burnsOverEmu(@TempDir Path dir) throws Exception {
    Path device = BurnTestImages.device(dir.resolve("dev"), v1);
    burnResetQuery("emu:" + device);
  }

  @Test
  void burnsOverTcp(@TempDir Path dir) throws Exception {
    Path deviceDir = BurnTestImages.device(dir.resolve("dev"), v1);
    try (EmulatedDevice device = EmulatedDevice.open(deviceDir);
        DeviceServer server = DeviceServer.start(device, InetAddress.getLoopbackAddress(), 0)) {
      burnResetQuery("tcp://127.0.0.1:" + server.port() + "?token-file=" + server.tokenFile());
    }
  }

  @Test
  void burnsOverPciThroughTheEmulatedConfigSpace(@TempDir Path dir) throws Exception {
    Path deviceDir = BurnTestImages.device(dir.resolve("dev"), v1);
    // The sysfs file layer is replaced by an emulated config space in front of the emulator; the
    // VSEC gateway, ICMD mailbox and semaphores run unchanged.
    DeviceOptions.configSpacesForTests =
        bdf -> {
          try {
            return EmulatedConfigSpace.builder(EmulatorDevices.open(deviceDir)).build();
          } catch (RuntimeException e) {
            throw e;
          }
        };
    burnResetQuery("pci:0000:03:00.0");
  }

  @Test
  void textOutputShowsVersionsAndProgress(@TempDir Path dir) throws Exception {
    Path device = BurnTestImages.device(dir.resolve("dev"), v1);
    Run burn = kiln("burn", "--device", "emu:" + device, v2.toString(), "--yes");
    assertEquals(0, burn.exitCode(), burn.err());
    assertTrue(burn.out().contains("Current FW version on flash:  22.39.1002"), burn.out());
    assertTrue(burn.out().contains("New FW version:               22.41.1000"), burn.out());
    assertTrue(burn.err().contains("Writing: 100%"), burn.err());
    assertTrue(!burn.out().contains("Writing"), "progress goes to stderr: " + burn.out());
    assertTrue(burn.out().contains("kiln device reset"), burn.out());
  }

  @Test
  void noActivateWritesAndVerifiesButLeavesTheRunningImage(@TempDir Path dir) throws Exception {
    Path deviceDir = BurnTestImages.device(dir.resolve("dev"), v1);
    try (EmulatedDevice device = EmulatedDevice.open(deviceDir);
        DeviceServer server = DeviceServer.start(device, InetAddress.getLoopbackAddress(), 0)) {
      String uri = "tcp://127.0.0.1:" + server.port() + "?token-file=" + server.tokenFile();
      Run burn = kiln("burn", "--device", uri, v2.toString(), "--yes", "--no-activate", "--json");
      assertEquals(0, burn.exitCode(), burn.err() + burn.out());
      JsonNode result = json(burn.out());
      assertTrue(!result.get("activated").asBoolean());
      assertTrue(result.get("pendingVersion").isNull(), burn.out());
      assertEquals(0, kiln("device", "reset", "--device", uri).exitCode());
      Run query = kiln("query", "--device", uri, "--json", "--no-read-back");
      assertEquals("22.39.1002", json(query.out()).get("runningVersion").asText());
    }
  }

  @Test
  void aPciDeviceInLivefishIsNamedAndNotBurnt(@TempDir Path dir) throws Exception {
    Path deviceDir = BurnTestImages.device(dir.resolve("dev"), v1);
    DeviceOptions.configSpacesForTests =
        bdf ->
            EmulatedConfigSpace.builder(EmulatorDevices.open(deviceDir))
                .deviceIds(0x212, 0x212)
                .build();
    Run query = kiln("query", "--device", "pci:0000:03:00.0");
    assertEquals(ExitCodes.DEVICE, query.exitCode());
    assertTrue(query.err().contains("livefish"), query.err());
    Run burn =
        kiln("burn", "--device", "pci:0000:03:00.0", v2.toString(), "--yes", "--psid",
            SampleFirmware.PSID);
    assertEquals(ExitCodes.DEVICE, burn.exitCode());
    assertTrue(burn.err().contains("only for emulated devices"), burn.err());
  }

  @Test
  void withoutYesAndWithoutTerminalItIsAUsageError(@TempDir Path dir) throws Exception {
    Path device = BurnTestImages.device(dir.resolve("dev"), v1);
    Run burn = kiln("burn", "--device", "emu:" + device, v2.toString());
    assertEquals(ExitCodes.USAGE, burn.exitCode());
    assertTrue(burn.err().contains("pass --yes"), burn.err());
  }

  @Test
  void sameVersionNeedsForce(@TempDir Path dir) throws Exception {
    Path device = BurnTestImages.device(dir.resolve("dev"), v1);
    Run same = kiln("burn", "--device", "emu:" + device, v1.toString(), "--yes");
    assertEquals(ExitCodes.CHECK_FAILED, same.exitCode());
    assertTrue(same.err().contains("SAME_VERSION"), same.err());
    Run forced = kiln("burn", "--device", "emu:" + device, v1.toString(), "--yes", "--force");
    assertEquals(0, forced.exitCode(), forced.err());
  }

  @Test
  void unreadableImageIsExit3(@TempDir Path dir) throws Exception {
    Path device = BurnTestImages.device(dir.resolve("dev"), v1);
    Run burn =
        kiln("burn", "--device", "emu:" + device, dir.resolve("missing.bin").toString(), "--yes");
    assertEquals(ExitCodes.UNREADABLE_INPUT, burn.exitCode());
  }

  @Test
  void anImageThatDoesNotStartAtZeroIsRefusedBeforeTheDeviceIsTouched(@TempDir Path dir)
      throws Exception {
    byte[] shifted = new byte[2 << 20];
    java.util.Arrays.fill(shifted, (byte) 0xFF);
    byte[] image = java.nio.file.Files.readAllBytes(v2);
    System.arraycopy(image, 0, shifted, 1 << 20, image.length);
    Path file = java.nio.file.Files.write(dir.resolve("shifted.bin"), shifted);
    // An unreachable device: touching it would be exit 5.
    Run burn = kiln("burn", "--device", "tcp://127.0.0.1:1", file.toString(), "--yes");
    assertEquals(ExitCodes.UNREADABLE_INPUT, burn.exitCode(), burn.err());
    // Read once as an image at offset 0, its ITOC addresses lead to no IMAGE_INFO: not an image
    // kiln can burn (exit 3), still before the device is opened.
    assertTrue(burn.err().startsWith("kiln: " + file), burn.err());
    assertEquals(1, burn.err().lines().count(), burn.err());
  }

  @Test
  void unreachableDeviceIsExit5() {
    Run burn = kiln("burn", "--device", "tcp://127.0.0.1:1", v2.toString(), "--yes");
    assertEquals(ExitCodes.DEVICE, burn.exitCode());
    assertTrue(burn.err().startsWith("kiln: tcp://127.0.0.1:1"), burn.err());
  }

  @Test
  void badDeviceUriIsAUsageError() {
    Run burn = kiln("burn", "--device", "usb:1", v2.toString(), "--yes");
    assertEquals(ExitCodes.USAGE, burn.exitCode());
  }
}
