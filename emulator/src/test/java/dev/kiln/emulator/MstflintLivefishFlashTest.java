package dev.kiln.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.emulator.pcifunction.EmulatedPciExec;
import dev.kiln.testkit.Mstflint;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MstflintLivefishFlashTest {
  @TempDir static Path work;
  static byte[] v1;

  @BeforeAll
  static void images() throws Exception {
    v1 = TestImages.build(work, TestImages.spec(22, 41, 1000));
  }

  private static final EmulatedDevice.Options JUMPER =
      EmulatedDevice.Options.defaults().withFlashNotPresent(true);

  private static Mstflint.Result mstflint(Path dir, String... args) {
    List<String> command = new java.util.ArrayList<>(List.of(
        Mstflint.require().binary().toString(), "-d", EmulatedPciExec.BDF));
    command.addAll(List.of(args));
    return EmulatedPciExec.run(dir, EmulatedPciExec.BDF, command, JUMPER);
  }

  @Test
  void queryReadsTheImageFromFlash(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    long start = System.nanoTime();
    Mstflint.Result query = mstflint(dir, "query");
    System.err.println("QUERY took " + (System.nanoTime() - start) / 1_000_000 + " ms\n" + query.output());
    assertEquals(0, query.exitCode(), query.output());
  }
}
