package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.burner.Sleeper;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One refusal prints once (the rule of {@link Refusals}): each finding's message appears once in
 * stdout and stderr together; stderr has one {@code kiln:} line naming only the outcome and codes.
 * Before, {@code kiln burn} printed each refusal on stdout and again on stderr.
 */
class OneRefusalTest {
  @TempDir static Path images;
  static Path v1;
  static Path otherBoard;

  @BeforeAll
  static void build() throws Exception {
    DeviceOptions.sleeper = millis -> {};
    v1 = BurnTestImages.signed(images, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    otherBoard =
        BurnTestImages.signed(
            images, SampleFirmware.Spec.secure("22.41.1000").withPsid("MT_0000000999"), "other");
  }

  @AfterAll
  static void restore() {
    DeviceOptions.sleeper = Sleeper.REAL;
  }

  private static int occurrences(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }

  /** The message of the first pre-check error of a burn --json. */
  private static String firstMessage(Run json) throws Exception {
    JsonNode node = new ObjectMapper().readTree(json.out());
    for (JsonNode finding : node.get("precheck")) {
      if (finding.get("severity").asText().equals("ERROR")) {
        return finding.get("message").asText();
      }
    }
    throw new AssertionError("no pre-check error: " + json.out());
  }

  @Test
  void aPrecheckRefusalOfBurnPrintsEachFindingOnce(@TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), v1);
    Run json = kiln("burn", "--device", device, v1.toString(), "--yes", "--json");
    assertEquals(ExitCodes.CHECK_FAILED, json.exitCode(), json.err());
    String message = firstMessage(json);
    assertEquals(1, occurrences(json.out() + json.err(), message), json.out() + json.err());
    assertEquals(device + ": refused before writing anything [SAME_VERSION]",
        json.err().strip().substring("kiln: ".length()));

    Run text = kiln("burn", "--device", device, v1.toString(), "--yes");
    assertEquals(ExitCodes.CHECK_FAILED, text.exitCode(), text.err());
    assertEquals(1, occurrences(text.out() + text.err(), message), text.out() + text.err());
    assertTrue(text.out().contains("refused: " + message + " [SAME_VERSION]"), text.out());
    assertEquals("kiln: " + device + ": refused before writing anything [SAME_VERSION]",
        text.err().strip());
  }

  @Test
  void aDeviceRefusalOfBurnPrintsItsReasonOnce(@TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), v1);
    Run text =
        kiln("burn", "--device", device, otherBoard.toString(), "--yes", "--skip-precheck");
    assertEquals(ExitCodes.CHECK_FAILED, text.exitCode(), text.err());
    String reason = text.err().strip().substring("kiln: ".length());
    assertTrue(reason.contains("the device refused the image"), reason);
    assertEquals(1, occurrences(text.out() + text.err(), reason), text.out() + text.err());

    Run json =
        kiln("burn", "--device", device, otherBoard.toString(), "--yes", "--skip-precheck",
            "--json");
    assertEquals(ExitCodes.CHECK_FAILED, json.exitCode(), json.err());
    String error = new ObjectMapper().readTree(json.out()).get("error").asText();
    assertEquals(1, occurrences(json.out() + json.err(), error), json.out() + json.err());
    assertTrue(
        json.err().lines().filter(line -> line.startsWith("kiln:")).toList()
            .equals(java.util.List.of(
                "kiln: " + device + ": the device refused the image (MCC error 0x03)")),
        json.err());
  }

  @Test
  void aCheckRefusalIsItsReportOnStdoutOnly(@TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), v1);
    Run check = kiln("check", v1.toString(), "--device", device);
    assertEquals(ExitCodes.CHECK_FAILED, check.exitCode(), check.err());
    assertTrue(check.out().contains("SAME_VERSION"), check.out());
    assertEquals("", check.err());
  }
}
