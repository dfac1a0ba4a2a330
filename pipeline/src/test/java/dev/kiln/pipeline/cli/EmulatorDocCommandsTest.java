package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.testkit.Mstflint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the three commands of docs/emulator.md, "Running mstflint against an emulated device", as
 * they stand in the file: read from it, executed by {@code sh} in a directory holding the two
 * images they name, with {@code kiln} on the PATH (this build) and the real mstflint.
 */
class EmulatorDocCommandsTest {
  private static final Path DOC = Path.of("..", "docs", "emulator.md");
  private static final String SECTION = "## Running mstflint against an emulated device";
  private static final String RECOVERY_SECTION = "## Recovering a livefish device with mstflint";

  @Test
  void theDocumentedCommandsRun(@TempDir Path work) throws Exception {
    List<String> commands = documentedCommands(SECTION);
    assertEquals(3, commands.size(), commands.toString());
    List<Mstflint.Result> results = runAsDocumented(work, commands);
    Mstflint.Result query = results.get(1);
    assertEquals(SampleFirmware.PSID, query.field("PSID"), query.output());
    assertEquals("22.41.1000", query.field("FW Version"), query.output());
    assertTrue(results.get(2).output().contains("-I- To load new FW run mstfwreset or reboot"),
        results.get(2).output());
    // The burn activated the image; this power-on runs it.
    try (EmulatedDevice device = EmulatedDevice.open(work.resolve("dev"))) {
      assertEquals("22.42.1000", device.runningVersion().orElseThrow().toString());
    }
    assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains("kiln-pcifn"));
  }

  /**
   * The recovery section: mstflint queries, burns and verifies the flash of a device powered on
   * with the flash-not-present jumper; without it, the device runs the burned image.
   */
  @Test
  void theDocumentedRecoveryCommandsRun(@TempDir Path work) throws Exception {
    List<String> commands = documentedCommands(RECOVERY_SECTION);
    assertEquals(6, commands.size(), commands.toString());
    List<Mstflint.Result> results = runAsDocumented(work, commands);
    Mstflint.Result onFlash = results.get(1);
    assertEquals("22.41.1000", onFlash.field("FW Version"), onFlash.output());
    assertEquals(SampleFirmware.PSID, onFlash.field("PSID"), onFlash.output());
    // From the DEV_INFO on flash, and these test images carry no MACs there: both columns N/A.
    assertEquals(List.of("N/A", "N/A"), List.of(onFlash.field("Base MAC").split("\\s+")),
        onFlash.output());
    String burn = results.get(2).output();
    assertTrue(burn.contains("Current FW version on flash:  22.41.1000"), burn);
    assertTrue(burn.contains("Burning FW image without signatures - OK"), burn);
    assertTrue(burn.contains("-W- Failed to update FW boot address."), burn);
    assertTrue(results.get(3).output().contains("FW image verification succeeded"),
        results.get(3).output());
    Mstflint.Result running = results.get(4);
    assertEquals("22.42.1000", running.field("FW Version"), running.output());
    assertTrue(results.get(5).stdout().contains("22.42.1000"), results.get(5).output());
    try (EmulatedDevice device = EmulatedDevice.open(work.resolve("dev"))) {
      assertEquals("22.42.1000", device.runningVersion().orElseThrow().toString());
    }
  }

  /** Runs {@code commands} with sh in {@code work}, next to the two images they name. */
  private static List<Mstflint.Result> runAsDocumented(Path work, List<String> commands)
      throws Exception {
    BurnTestImages.signed(work, SampleFirmware.Spec.secure("22.41.1000"), "fw-22.41.1000");
    BurnTestImages.signed(work, SampleFirmware.Spec.secure("22.42.1000"), "fw-22.42.1000");
    Path bin = work.resolve("bin");
    KilnChildProcess.launcherIn(bin);
    Mstflint.require();

    List<Mstflint.Result> results = new ArrayList<>();
    for (String command : commands) {
      Mstflint.Result result =
          KilnChildProcess.runCommand(
              List.of("sh", "-c", "cd \"$1\" && PATH=\"$2:$PATH\" && " + command, "doc",
                  work.toString(), bin.toString()));
      assertEquals(0, result.exitCode(), command + "\n" + result.output());
      results.add(result);
    }
    return results;
  }

  /** The {@code kiln ...} lines of the first code block of {@code section}. */
  static List<String> documentedCommands(String section) throws Exception {
    List<String> lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
    int start = lines.indexOf(section);
    assertTrue(start >= 0, "docs/emulator.md has no section '" + section + "'");
    List<String> commands = new ArrayList<>();
    boolean inBlock = false;
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("```")) {
        if (inBlock) {
          break;
        }
        inBlock = true;
      } else if (inBlock && line.startsWith("kiln ")) {
        commands.add(line);
      }
    }
    return commands;
  }
}
