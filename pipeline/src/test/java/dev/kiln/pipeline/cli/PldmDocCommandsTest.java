package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The block of docs/burner.md "Burning through the BMC's path (PLDM)", run as shipped, each line a
 * child JVM in a directory holding the demo's two images and the sample key as release.pem.
 */
class PldmDocCommandsTest {
  @Test
  void theDocumentedPldmBurnRuns(@TempDir Path work) throws Exception {
    BurnTestImages.signed(work, SampleFirmware.Spec.secure("22.41.1000"), "fw-22.41.1000");
    Path newer =
        BurnTestImages.signed(work, SampleFirmware.Spec.secure("22.42.1000"), "fw-22.42.1000");
    Path keys = Files.createDirectories(work.resolve("keys"));
    Files.copy(SampleKeys.writePrivateKey(SampleKey.RSA_2048, keys), work.resolve("release.pem"));
    List<String[]> commands = RecordReplayDocTest.block("doc-test: pldm");
    assertEquals(4, commands.size());
    RecordReplayDocTest.Result init = RecordReplayDocTest.run(work, null, commands.get(0));
    assertEquals(0, init.code(), init.err());
    RecordReplayDocTest.Result pack = RecordReplayDocTest.run(work, null, commands.get(1));
    assertEquals(0, pack.code(), pack.err());
    assertTrue(Files.isRegularFile(work.resolve("fw-22.42.1000.fwpkg")));
    RecordReplayDocTest.Result burn = RecordReplayDocTest.run(work, null, commands.get(2));
    assertEquals(0, burn.code(), burn.err() + burn.out());
    assertTrue(burn.out().contains("Device descriptors:           PCI vendor id 0x15b3, PCI"
        + " device id 0x101d, PSID " + SampleFirmware.PSID), burn.out());
    assertTrue(burn.out().contains("Version 22.42.1000 is pending"), burn.out());
    RecordReplayDocTest.Result query = RecordReplayDocTest.run(work, null, commands.get(3));
    assertEquals(0, query.code(), query.err());
    assertTrue(query.out().contains("22.42.1000"), query.out());
  }
}
