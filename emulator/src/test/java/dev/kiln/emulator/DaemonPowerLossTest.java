package dev.kiln.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Mgir;
import dev.kiln.registers.Recording;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power loss as {@code kill -9} of the daemon process, at random instants of a burn driven over
 * TCP and at the narrow fail-safe windows (the daemon halts itself there): after every restart the
 * device runs a valid image, old or new, and exactly one slot carries the magic.
 */
class DaemonPowerLossTest {
  static final String V1 = "22.41.1000";
  static final String V2 = "22.42.1010";
  @TempDir static Path work;
  static byte[] v1;
  static byte[] v2;

  @BeforeAll
  static void images() throws Exception {
    v1 = TestImages.build(work, TestImages.spec(22, 41, 1000));
    v2 = TestImages.build(work, TestImages.spec(22, 42, 1010));
  }

  @Test
  void killAtRandomPointsAlwaysLeavesABootableImage(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    long seed = System.nanoTime();
    Random random = new Random(seed);
    String running = V1;
    List<String> history = new ArrayList<>();
    String[][] halts = {
      {"--halt-at", "verify-slot-half-written"},
      {"--halt-at", "activate-magic-written"},
      {"--halt-at", "activate-pointer-switched"},
      {"--halt-at", "activate-old-invalidated"},
      {"--halt-at", "boot-repair"},
    };
    long burnNanos = 0;
    int rounds = 10;
    for (int round = 0; round < rounds; round++) {
      boolean halt = round < halts.length;
      byte[] target = running.equals(V1) ? v2 : v1;
      long delayMillis = 0;
      try (DaemonProcess daemon = DaemonProcess.start(dir, halt ? halts[round] : new String[0])) {
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        long start = System.nanoTime();
        Thread burner =
            new Thread(
                () -> {
                  try (DaemonClient client = daemon.connect()) {
                    new SimpleHost(client).burn(target);
                    new SimpleHost(client).reset();
                  } catch (Throwable e) {
                    outcome.set(e);
                  }
                });
        burner.start();
        if (halt) {
          burner.join(60_000);
        } else {
          // Random instant within the measured length of a whole burn (first full run measures).
          delayMillis =
              burnNanos == 0 ? 60_000 : random.nextInt((int) (burnNanos / 1_000_000) + 50);
          burner.join(delayMillis);
          if (burnNanos == 0 && !burner.isAlive()) {
            burnNanos = System.nanoTime() - start;
          }
        }
        daemon.kill();
        burner.join(30_000);
      }
      // Power on again: some valid image must run, and exactly one slot is bootable.
      try (DaemonProcess daemon = DaemonProcess.start(dir);
          DaemonClient client = daemon.connect()) {
        String identity = client.identify();
        assertTrue(identity.startsWith("mode=secure_fw"), identity + " seed " + seed);
        Mgir mgir =
            Mgir.decode(
                new SimpleHost(client)
                    .access(AccessRegister.MGIR, RegisterMethod.GET, new byte[Mgir.SIZE])
                    .payload());
        String now = mgir.versionText();
        assertTrue(now.equals(V1) || now.equals(V2), now);
        assertEquals(1, PowerLossInProcessTest.slotsWithMagic(dir), "seed " + seed);
        history.add((halt ? halts[round][1] : "kill@" + delayMillis + "ms") + ":" + now);
        running = now;
      }
    }
    System.out.println("power-loss rounds (seed " + seed + ", burn " + burnNanos / 1_000_000
        + " ms): " + history);
    // The sequence did switch images at least once (otherwise nothing was tested).
    assertTrue(history.stream().anyMatch(h -> h.endsWith(V2)), history + " seed " + seed);
  }

  @Test
  void aDeviceDirectoryRunsInOneProcessAtATime(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    try (DaemonProcess daemon = DaemonProcess.start(dir)) {
      assertTrue(daemon.port > 0);
      java.io.IOException busy =
          org.junit.jupiter.api.Assertions.assertThrows(
              java.io.IOException.class, () -> EmulatedDevice.open(dir));
      assertTrue(busy.getMessage().endsWith("the device is in use by another process"),
          busy.getMessage());
    }
    // kill -9 released it.
    EmulatedDevice.open(dir).close();
  }

  @Test
  void daemonServesRegistersAndRecords(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir.resolve("dev"), TestImages.identity(), v1);
    Path recording = dir.resolve("rec.bin");
    try (DaemonProcess daemon =
            DaemonProcess.start(dir.resolve("dev"), "--record", recording.toString());
        DaemonClient client = daemon.connect()) {
      SimpleHost host = new SimpleHost(client);
      assertEquals(RegisterStatus.OK,
          host.access(AccessRegister.MGIR, RegisterMethod.GET, new byte[Mgir.SIZE])
              .registerStatus());
      host.lock();
    }
    List<Recording.Transaction> transactions = Recording.read(recording);
    assertEquals(3, transactions.size());
    assertEquals(AccessRegister.MGIR, transactions.get(0).requestEnvelope().register());
    assertEquals(AccessRegister.MCC, transactions.get(2).requestEnvelope().register());
  }
}
