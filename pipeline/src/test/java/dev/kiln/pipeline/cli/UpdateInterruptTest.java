package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.emulator.DeviceServer;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.pipeline.burnlog.BurnLog;
import dev.kiln.pipeline.burnlog.BurnRecord;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.registers.FsmState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGINT during {@code kiln update}'s burn (a child JVM over {@code tcp://}): the burn is
 * cancelled and the handle released as for {@code kiln burn}, the device shows its old image or
 * the new one, the log has one record for the attempt, and the next update succeeds at once.
 */
class UpdateInterruptTest {
  static final FwVersion OLD = FwVersion.parse("22.39.1002");
  static final FwVersion NEW = FwVersion.parse("22.41.1000");

  @TempDir static Path work;
  static Path old;
  static Path bundle;
  static Path trust;

  @BeforeAll
  static void setUp() throws Exception {
    old = BurnTestImages.signedLarge(work, SampleFirmware.Spec.secure(OLD.toString()), "old", 4);
    Path newer = BurnTestImages.signedLarge(work, SampleFirmware.Spec.secure(NEW.toString()), "new", 4);
    trust = SampleKeys.writePublicKey(SampleKey.RSA_2048, work);
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_2048, work);
    bundle = work.resolve("release.kbundle");
    BurnTestImages.Run created =
        kiln("bundle", "create", "--out", bundle.toString(), "--key", "file:" + key,
            "--allow-sample-keys", newer.toString());
    assertEquals(0, created.exitCode(), created.err());
  }

  private static List<String> update(String device, Path log) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Kiln.class.getName());
    command.addAll(
        List.of("update", "--device", device, "--bundle", bundle.toString(), "--trust",
            trust.toString(), "--yes", "--log", log.toString()));
    return command;
  }

  @Test
  void sigintDuringTheBurnCancelsReleasesAndLogsOnce(@TempDir Path dir) throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Path log = dir.resolve("update.log");
    int records = 0;
    int interrupted = 0;
    for (int round = 0; round < 4; round++) {
      String context = "seed " + seed + " round " + round;
      Path deviceDir = BurnTestImages.device(dir.resolve("dev" + round), old);
      try (EmulatedDevice device = EmulatedDevice.open(deviceDir);
          DeviceServer server = DeviceServer.start(device, InetAddress.getLoopbackAddress(), 0)) {
        String uri = "tcp://127.0.0.1:" + server.port() + "?token-file=" + server.tokenFile();
        Process child = new ProcessBuilder(update(uri, log)).start();
        BufferedReader progress =
            new BufferedReader(
                new InputStreamReader(child.getErrorStream(), StandardCharsets.UTF_8));
        StringBuilder stderr = new StringBuilder();
        boolean started = false;
        for (String line = progress.readLine(); line != null; line = progress.readLine()) {
          stderr.append(line).append('\n');
          if (line.startsWith("Locking the update handle")) {
            started = true;
            break;
          }
        }
        assertTrue(started, context + ": the burn never started: " + stderr);
        Thread.sleep(random.nextInt(150));
        Process kill =
            new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        String stdout = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        for (String line = progress.readLine(); line != null; line = progress.readLine()) {
          stderr.append(line).append('\n');
        }
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), context);
        int exit = child.exitValue();
        records++;
        // The handle is free at once, whatever the signal interrupted.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (device.fsmState() != FsmState.IDLE) {
          assertTrue(System.nanoTime() < deadline, context + ": handle held: " + stderr);
          Thread.sleep(10);
        }
        FwVersion flash = device.pendingVersion().orElse(device.runningVersion().orElseThrow());
        BurnRecord record = new BurnLog(log).verify().records().get(records - 1);
        if (flash.equals(OLD)) {
          assertEquals(BurnRun.INTERRUPTED, exit, context + ": " + stdout + stderr);
          assertTrue(stdout.contains(": interrupted"), context + ": " + stdout);
          assertTrue(stderr.toString().contains("[INTERRUPTED]"), context + ": " + stderr);
          assertEquals("interrupted", record.result(), context);
          interrupted++;
        } else {
          // The signal came after ACTIVATE: the burn completed and says so.
          assertEquals(NEW, flash, context);
          assertEquals("ok", record.result(), context + ": " + stdout + stderr);
        }
        // The next update goes through at once (or finds the image already there).
        BurnTestImages.Run again =
            kiln("update", "--device", uri, "--bundle", bundle.toString(), "--trust",
                trust.toString(), "--yes", "--log", log.toString());
        assertEquals(0, again.exitCode(), context + ": " + again.out() + again.err());
        if (flash.equals(OLD)) {
          records++;
          assertTrue(again.out().contains(": burned FW " + NEW), context + ": " + again.out());
        }
      }
    }
    // A 4 MiB transfer lasts about as long as the 0-150 ms wait: many rounds land inside it.
    assertTrue(interrupted > 0, "no SIGINT landed inside a burn, seed " + seed);
    BurnLog.Verification verification = new BurnLog(log).verify();
    assertTrue(verification.intact(), verification.message());
    assertEquals(records, verification.records().size(), "one record per attempt, seed " + seed);
  }
}
