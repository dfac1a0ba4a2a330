package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.Sleeper;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Structure checked (issue 11): a signed image cut short, which {@code kiln verify} rejects with
 * DTOC_HEADER while its signature still verifies, is refused by {@code kiln check} and {@code kiln
 * burn} (STRUCTURE_INVALID), even with {@code --skip-precheck}, and the device keeps its image.
 */
class StructureCheckTest {
  @TempDir static Path images;
  static Path running;
  static Path truncated;

  @BeforeAll
  static void buildImages() throws Exception {
    DeviceOptions.sleeper = millis -> {};
    running = BurnTestImages.signed(images, SampleFirmware.Spec.secure("22.39.1002"), "running");
    Path good = BurnTestImages.signed(images, SampleFirmware.Spec.secure("22.41.1000"), "good");
    byte[] bytes = Files.readAllBytes(good);
    truncated = images.resolve("truncated.bin");
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 0x1000));
  }

  @AfterAll
  static void restore() {
    DeviceOptions.sleeper = Sleeper.REAL;
  }

  @Test
  void verifyRejectsTheTruncatedImageAndItsSignatureStillVerifies() throws Exception {
    Run verify = kiln("verify", truncated.toString());
    assertEquals(ExitCodes.CHECK_FAILED, verify.exitCode(), verify.out());
    assertTrue(verify.out().contains("DTOC_HEADER"), verify.out());
    Run signature =
        kiln("verify", truncated.toString(), "--trust-image-keys", "--json");
    assertTrue(signature.out().contains("SIGNATURE_VERIFIED"), signature.out());
  }

  @Test
  void checkAndBurnRefuseIt(@TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), running);
    Run check = kiln("check", truncated.toString(), "--device", device);
    assertEquals(ExitCodes.CHECK_FAILED, check.exitCode(), check.out() + check.err());
    assertTrue(check.out().contains("REFUSE  STRUCTURE_INVALID"), check.out());
    assertTrue(check.out().contains("DTOC_HEADER"), check.out());
    for (String extra : new String[] {"--force", "--skip-precheck"}) {
      Run burn = kiln("burn", "--device", device, truncated.toString(), "--yes", extra);
      assertEquals(ExitCodes.CHECK_FAILED, burn.exitCode(), burn.err());
      assertTrue(burn.err().contains("[STRUCTURE_INVALID]"), burn.err());
      assertTrue(burn.err().contains("DTOC_HEADER"), burn.err());
    }
    BurnRefusalTest.assertStillRunsTheOldImage(device);
  }
}
