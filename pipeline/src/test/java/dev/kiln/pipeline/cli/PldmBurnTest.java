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

  static Path unsigned;
  static Path wrongPsid;
  static Path forbidden;
  static Path rolledBack;
  static Path untrusted;

  @BeforeAll
  static void buildImages() throws Exception {
    DeviceOptions.sleeper = millis -> {};
    SampleFirmware.Spec base = SampleFirmware.Spec.secure("22.39.1002").withSecurityVersion(2);
    running = BurnTestImages.signed(
        images, base.withForbidden(List.of(FwVersion.parse("22.40.1000"))), "running");
    SampleFirmware.Spec spec = SampleFirmware.Spec.secure("22.41.1000").withSecurityVersion(2);
    next = BurnTestImages.signed(images, spec, "next");
    // The images BurnRefusalTest burns through the MCC path.
    unsigned = BurnTestImages.unsigned(images, spec, "unsigned");
    wrongPsid = BurnTestImages.signed(images, spec.withPsid("MT_0000009999"), "psid");
    forbidden = BurnTestImages.signed(
        images, SampleFirmware.Spec.secure("22.40.1000").withSecurityVersion(2), "forbidden");
    rolledBack = BurnTestImages.signed(images, spec.withSecurityVersion(1), "rollback");
    untrusted = BurnTestImages.signed(images, spec, "untrusted", BurnTestImages.UNTRUSTED);
  }

  /**
   * Each MCC refusal of BurnRefusalTest, and what the device answers over PLDM: the VerifyComplete
   * result (docs/emulator.md, "PLDM firmware update") and the MCC error in GetStatus.
   */
  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of("unsigned", "VerifyComplete 0x03 (failed FD security checks)",
            "MCC error 0x06 (REJECTED_UNSIGNED"),
        Arguments.of("wrong PSID", "VerifyComplete 0x01 (verification failure)",
            "MCC error 0x03 (REJECTED_NOT_APPLICABLE"),
        Arguments.of("forbidden", "VerifyComplete 0x03 (failed FD security checks)",
            "MCC error 0x0f (REJECTED_FORBIDDEN_VERSION"),
        Arguments.of("rolled back", "VerifyComplete 0x10 (security revision error)",
            "MCC error 0x19 (FW_BURN_REJECTED_INVALID_SECURITY_VERSION"),
        Arguments.of("untrusted key", "VerifyComplete 0x03 (failed FD security checks)",
            "MCC error 0x04 (REJECTED_UNKNOWN_KEY"));
  }

  private static Path image(String name) {
    return switch (name) {
      case "unsigned" -> unsigned;
      case "wrong PSID" -> wrongPsid;
      case "forbidden" -> forbidden;
      case "rolled back" -> rolledBack;
      default -> untrusted;
    };
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void theDeviceRefusesOverPldmWhatItRefusesOverMcc(
      String name, String result, String mccError, @TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), running);
    // The record names the device's own descriptors: only the device's checks can refuse.
    Path pkg = PldmTestPackages.mislabeled(
        dir, image(name), "22.41.1000", SampleFirmware.PSID, "refused");
    Run burn = kiln("burn", "--via", "pldm", pkg.toString(), "--device", device, "--yes");
    assertEquals(ExitCodes.CHECK_FAILED, burn.exitCode(), burn.err() + burn.out());
    assertTrue(burn.err().contains("the device refused the image: " + result), burn.err());
    assertTrue(burn.err().contains(mccError), burn.err());
    BurnRefusalTest.assertStillRunsTheOldImage(device);
    // The refusal left update mode: the next update is taken at once.
    Path good = PldmTestPackages.of(dir, next, "next");
    Run again = kiln("burn", "--via", "pldm", good.toString(), "--device", device, "--yes");
    assertEquals(0, again.exitCode(), again.err());
  }

  @Test
  void jsonReportsTheOutcome(@TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), running);
    Path good = PldmTestPackages.of(dir, next, "next");
    Run burn = kiln("burn", "--via", "pldm", good.toString(), "--device", device, "--yes",
        "--json");
    assertEquals(0, burn.exitCode(), burn.err());
    var result = new ObjectMapper().readTree(burn.out());
    assertTrue(result.get("ok").asBoolean(), burn.out());
    assertEquals("pldm", result.get("via").asText());
    assertEquals("22.39.1002", result.get("runningVersionBefore").asText());
    assertEquals("22.41.1000", result.get("pendingVersion").asText());
    assertEquals(java.nio.file.Files.size(next), result.get("bytes").asLong());
    Path refused = PldmTestPackages.mislabeled(dir, unsigned, "22.41.1000", SampleFirmware.PSID,
        "unsigned");
    Run refusal = kiln("burn", "--via", "pldm", refused.toString(), "--device", device, "--yes",
        "--json");
    assertEquals(ExitCodes.CHECK_FAILED, refusal.exitCode(), refusal.err());
    var failed = new ObjectMapper().readTree(refusal.out());
    assertTrue(!failed.get("ok").asBoolean()
        && failed.get("error").asText().contains("VerifyComplete 0x03"), refusal.out());
  }

  @Test
  void aPackageForAnotherPsidMatchesNoRecord(@TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), running);
    Path pkg = PldmTestPackages.mislabeled(dir, next, "22.41.1000", "MT_0000009999", "other");
    Run burn = kiln("burn", "--via", "pldm", pkg.toString(), "--device", device, "--yes");
    assertEquals(ExitCodes.CHECK_FAILED, burn.exitCode(), burn.err());
    assertTrue(burn.err().contains("no firmware device record matches " + device), burn.err());
    assertTrue(burn.err().contains("PSID MT_0000009999"), burn.err());
    BurnRefusalTest.assertStillRunsTheOldImage(device);
  }

  @Test
  void clearErrorsForWhatThePldmPathCannotDo(@TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), running);
    Path pkg = PldmTestPackages.of(dir, next, "next");
    Run pci = kiln("burn", "--via", "pldm", pkg.toString(), "--device", "pci:0000:03:00.0",
        "--yes");
    assertEquals(ExitCodes.USAGE, pci.exitCode(), pci.err());
    assertTrue(pci.err().startsWith("kiln: --via pldm: pci:0000:03:00.0 has no PLDM channel"),
        pci.err());
    Run mccOption = kiln("burn", "--via", "pldm", pkg.toString(), "--device", device, "--yes",
        "--skip-precheck");
    assertEquals(ExitCodes.USAGE, mccOption.exitCode(), mccOption.err());
    Run notAPackage = kiln("burn", "--via", "pldm", next.toString(), "--device", device, "--yes");
    assertEquals(ExitCodes.UNREADABLE_INPUT, notAPackage.exitCode(), notAPackage.err());
    assertTrue(notAPackage.err().startsWith("kiln: " + next + ": not a readable PLDM package"),
        notAPackage.err());
    Run via = kiln("burn", "--via", "bmc", pkg.toString(), "--device", device, "--yes");
    assertEquals(ExitCodes.USAGE, via.exitCode(), via.err());
    BurnRefusalTest.assertStillRunsTheOldImage(device);
  }

  @AfterAll
  static void restore() {
    DeviceOptions.sleeper = Sleeper.REAL;
  }

  @Test
  void aPackageUpdatesTheDeviceThroughTheDaemon(@TempDir Path dir) throws Exception {
    Path device = BurnTestImages.device(dir.resolve("dev"), running);
    Path pkg = PldmTestPackages.of(dir, next, "next");
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
