package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln verify --device}: the BOOT image read back through MCC (READ_COMPONENT, MCDA GETs)
 * passes the same structural verification as the file it was burnt from.
 */
class DeviceVerifyTest {

  @Test
  void readsTheBootImageBackAndVerifiesIt(@TempDir Path dir) throws Exception {
    Path v1 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), v1);
    Run run = kiln("verify", "--device", device, "--json");
    assertEquals(0, run.exitCode(), run.err() + run.out());
    JsonNode json = new ObjectMapper().readTree(run.out());
    assertTrue(json.get("passed").asBoolean());
    assertEquals(Files.size(v1), json.get("bytesRead").asLong());

    Run text = kiln("verify", "--device", device);
    assertEquals(0, text.exitCode(), text.err());
    assertTrue(text.out().contains("(BOOT image read back): OK"), text.out());
  }

  @Test
  void noImageAndNoDeviceIsAUsageError() {
    assertEquals(ExitCodes.USAGE, kiln("verify").exitCode());
  }
}
