package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.burner.Sleeper;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kiln burn --via pldm}: a package written by the {@code packages} module's writer updates
 * the emulated device through its DSP0267 firmware-device side (over a real daemon process), and
 * every image the MCC path refuses is refused over PLDM too, by the device, with the DSP0267
 * result code and the MCC error behind it; the device keeps its old image.
 */
class PldmBurnTest {
  @TempDir static Path images;
  /** The device's image: security version 2, forbids 22.40.1000. */
  static Path running;
  static Path next;

  @BeforeAll
  static void buildImages() throws Exception {
    DeviceOptions.sleeper = millis -> {};
    SampleFirmware.Spec base = SampleFirmware.Spec.secure("22.39.1002").withSecurityVersion(2);
    running = BurnTestImages.signed(
        images, base.withForbidden(List.of(FwVersion.parse("22.40.1000"))), "running");
    next = BurnTestImages.signed(
        images, SampleFirmware.Spec.secure("22.41.1000").withSecurityVersion(2), "next");
  }

  @AfterAll
  static void restore() {
    DeviceOptions.sleeper = Sleeper.REAL;
  }

  @Test
  void aPackageUpdatesTheDeviceThroughTheDaemon(@TempDir Path dir) throws Exception {
    Path device = BurnTestImages.device(dir.resolve("dev"), running);
    Path pkg = PldmTestPackages.forSampleDevice(dir, next, "22.41.1000", "next");
    try (BurnPowerLossTest.Daemon daemon = new BurnPowerLossTest.Daemon(device)) {
      String uri = "tcp://127.0.0.1:" + daemon.port + "?token-file=" + daemon.tokenFile;
      Run burn = kiln("burn", "--via", "pldm", pkg.toString(), "--device", uri, "--yes");
      assertEquals(0, burn.exitCode(), burn.err() + burn.out());
      assertTrue(burn.out().contains("Device descriptors:           PCI vendor id 0x15b3, PCI"
          + " device id 0x101d, PSID " + SampleFirmware.PSID), burn.out());
      assertTrue(burn.out().contains("Current FW version:           22.39.1002"), burn.out());
      assertTrue(burn.out().contains("Version 22.41.1000 is pending"), burn.out());
      Run query = kiln("query", "--device", uri, "--json", "--no-read-back");
      var profile = new ObjectMapper().readTree(query.out());
      assertEquals("22.39.1002", profile.get("runningVersion").asText(), query.out());
      assertEquals("22.41.1000", profile.get("pendingVersion").asText(), query.out());
      Run reset = kiln("device", "reset", "--device", uri);
      assertEquals(0, reset.exitCode(), reset.err());
      query = kiln("query", "--device", uri, "--json", "--no-read-back");
      assertEquals("22.41.1000",
          new ObjectMapper().readTree(query.out()).get("runningVersion").asText());
    }
  }
}
