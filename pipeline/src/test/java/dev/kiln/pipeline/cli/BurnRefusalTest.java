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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every image a secure device must refuse, refused twice: by kiln's pre-check before anything is
 * written (exit 1, the finding code named), and, with {@code --skip-precheck}, by the device itself
 * with the matching MCC error. Either way the device keeps running its old image.
 */
class BurnRefusalTest {
  @TempDir static Path images;
  /** The device's image: security version 2, forbids 22.40.1000. */
  static Path running;

  static Path unsigned;
  static Path wrongPsid;
  static Path forbidden;
  static Path rolledBack;
  static Path untrusted;

  @BeforeAll
  static void buildImages() throws Exception {
    DeviceOptions.sleeper = millis -> {};
    SampleFirmware.Spec base = SampleFirmware.Spec.secure("22.39.1002").withSecurityVersion(2);
    running =
        BurnTestImages.signed(
            images, base.withForbidden(List.of(FwVersion.parse("22.40.1000"))), "running");
    SampleFirmware.Spec next = SampleFirmware.Spec.secure("22.41.1000").withSecurityVersion(2);
    unsigned = BurnTestImages.unsigned(images, next, "unsigned");
    wrongPsid = BurnTestImages.signed(images, next.withPsid("MT_0000009999"), "psid");
    forbidden =
        BurnTestImages.signed(
            images, SampleFirmware.Spec.secure("22.40.1000").withSecurityVersion(2), "forbidden");
    rolledBack = BurnTestImages.signed(images, next.withSecurityVersion(1), "rollback");
    untrusted = BurnTestImages.signed(images, next, "untrusted", BurnTestImages.UNTRUSTED);
  }

  @AfterAll
  static void restore() {
    DeviceOptions.sleeper = Sleeper.REAL;
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of("unsigned", "UNSIGNED", "unsigned image"),
        Arguments.of("wrong PSID", "PSID_MISMATCH", "wrong device"),
        Arguments.of("forbidden", "FORBIDDEN_VERSION", "forbidden version"),
        Arguments.of("rolled back", "SECURITY_VERSION_ROLLBACK", "security version rollback"),
        Arguments.of("untrusted key", "UNTRUSTED_KEY", "untrusted key"));
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

  /** The device at {@code device} still runs 22.39.1002 and has nothing pending. */
  static void assertStillRunsTheOldImage(String device) throws Exception {
    Run query = kiln("query", "--device", device, "--json", "--no-read-back");
    assertEquals(0, query.exitCode(), query.err());
    var profile = new ObjectMapper().readTree(query.out());
    assertEquals("22.39.1002", profile.get("runningVersion").asText());
    assertTrue(profile.get("pendingVersion").isNull(), query.out());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void refusedByThePrecheck(String name, String code, String cause, @TempDir Path dir)
      throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), running);
    Run burn =
        kiln("burn", "--device", device, image(name).toString(), "--yes", "--read-back");
    assertEquals(ExitCodes.CHECK_FAILED, burn.exitCode(), burn.err());
    assertTrue(burn.err().contains("refused before writing anything"), burn.err());
    assertTrue(burn.err().contains("[" + code + "]"), burn.err());
    assertStillRunsTheOldImage(device);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void refusedByTheDeviceWhenThePrecheckIsSkipped(
      String name, String code, String cause, @TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), running);
    Run burn =
        // The untrusted-key image does not trust its own signer either: let the device judge it.
        kiln("burn", "--device", device, image(name).toString(), "--yes", "--skip-precheck",
            "--allow-key-lockout");
    assertEquals(ExitCodes.CHECK_FAILED, burn.exitCode(), burn.err() + burn.out());
    assertTrue(burn.err().contains("the device refused the image: " + cause), burn.err());
    assertTrue(burn.err().contains("MCC error 0x"), burn.err());
    assertStillRunsTheOldImage(device);
  }
}
