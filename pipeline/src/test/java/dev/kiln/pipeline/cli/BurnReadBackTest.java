package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.Sleeper;
import dev.kiln.emulator.DeviceServer;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.registers.Recording;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln burn} reads the running image back only with {@code --read-back}: by default the
 * pre-check works from the device's query answers (keys and forbidden versions unknown, so it warns)
 * and the device refuses what it refuses, as with mstflint; with {@code --read-back} the pre-check
 * also checks the running image's keys and forbidden list before anything is written. Counted on
 * the emulator's own recording of every register transaction.
 */
class BurnReadBackTest {
  @TempDir Path dir;
  Path running;
  Path next;
  Path untrusted;

  @BeforeEach
  void images() throws Exception {
    DeviceOptions.sleeper = millis -> {};
    running = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    SampleFirmware.Spec spec = SampleFirmware.Spec.secure("22.41.1000");
    next = BurnTestImages.signed(dir, spec, "v2");
    untrusted = BurnTestImages.signedByUntrustedKey(dir, spec, "untrusted");
  }

  @AfterEach
  void restore() {
    DeviceOptions.sleeper = Sleeper.REAL;
  }

  /** Runs {@code kiln burn ARGS --device tcp://...} against a recording daemon. */
  private List<Recording.Transaction> burn(Path image, int exitCode, String... extra)
      throws Exception {
    Path recording = dir.resolve("burn-" + System.nanoTime() + ".rec");
    Path deviceDir = BurnTestImages.device(dir.resolve("dev-" + System.nanoTime()), running);
    try (EmulatedDevice device =
            EmulatedDevice.open(
                deviceDir, EmulatedDevice.Options.defaults().withRecording(recording));
        DeviceServer server = DeviceServer.start(device, InetAddress.getLoopbackAddress(), 0)) {
      String[] args = new String[4 + extra.length];
      args[0] = "burn";
      args[1] = "--device=tcp://127.0.0.1:" + server.port() + "?token-file=" + server.tokenFile();
      args[2] = image.toString();
      args[3] = "--yes";
      System.arraycopy(extra, 0, args, 4, extra.length);
      Run run = kiln(args);
      assertEquals(exitCode, run.exitCode(), run.err() + run.out());
      lastRun = run;
    }
    return Recording.read(recording);
  }

  private Run lastRun;

  private static long count(
      List<Recording.Transaction> all, AccessRegister register, RegisterMethod method)
      throws Exception {
    long n = 0;
    for (Recording.Transaction transaction : all) {
      RegisterEnvelope request = transaction.requestEnvelope();
      if (request.registerId() == register.id() && request.method() == method) {
        n++;
      }
    }
    return n;
  }

  private static long readComponents(List<Recording.Transaction> all) throws Exception {
    long n = 0;
    for (Recording.Transaction transaction : all) {
      RegisterEnvelope request = transaction.requestEnvelope();
      if (request.registerId() == AccessRegister.MCC.id()) {
        MccInstruction instruction = Mcc.decode(request.payload()).instructionCode();
        if (instruction == MccInstruction.READ_COMPONENT
            || instruction == MccInstruction.READ_PENDING_COMPONENT) {
          n++;
        }
      }
    }
    return n;
  }

  @Test
  void aDefaultBurnReadsNothingBack() throws Exception {
    List<Recording.Transaction> all = burn(next, ExitCodes.OK);
    assertEquals(0, count(all, AccessRegister.MCDA, RegisterMethod.GET));
    assertEquals(0, readComponents(all));
    assertTrue(count(all, AccessRegister.MCDA, RegisterMethod.SET) > 0);
  }

  @Test
  void withoutReadBackTheDeviceRefusesAnUntrustedKeyAndThePrecheckOnlyWarns() throws Exception {
    List<Recording.Transaction> all = burn(untrusted, ExitCodes.CHECK_FAILED);
    assertEquals(0, count(all, AccessRegister.MCDA, RegisterMethod.GET));
    assertTrue(lastRun.out().contains("warning: "), lastRun.out());
    assertTrue(
        lastRun.err().contains("the device refused the image: untrusted key"), lastRun.err());
  }

  @Test
  void withReadBackThePrecheckRefusesAnUntrustedKeyBeforeWritingAnything() throws Exception {
    List<Recording.Transaction> all = burn(untrusted, ExitCodes.CHECK_FAILED, "--read-back");
    assertTrue(count(all, AccessRegister.MCDA, RegisterMethod.GET) > 0);
    assertEquals(1, readComponents(all));
    assertEquals(0, count(all, AccessRegister.MCDA, RegisterMethod.SET));
    assertTrue(lastRun.err().contains("refused before writing anything"), lastRun.err());
    assertTrue(lastRun.err().contains("[UNTRUSTED_KEY]"), lastRun.err());
  }
}
