package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.DeviceException;
import dev.kiln.burner.DeviceInfo;
import dev.kiln.burner.ImageRejectedException;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.pldm.UpdateAgent;
import dev.kiln.burner.pldm.UpdatePackage;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.burner.transport.TcpTransport;
import dev.kiln.emulator.FaultPoint;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.packages.pldm.PldmPackageReader;
import dev.kiln.pipeline.cli.BurnPowerLossTest.Daemon;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.registers.TransportException;
import dev.kiln.registers.pldm.PldmEndpoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power loss during a PLDM update: the daemon (a child JVM) is killed ({@code kill -9}) at random
 * PLDM messages of the update agent's traffic, most of them during the transfer, and halted at
 * the FD's named instants (a stored RequestFirmwareData piece, the staging write of APPLY, the
 * fail-safe switch of ActivateFirmware). After each power-on the device runs a valid image: the
 * old one whenever the power went before ActivateFirmware's switch, and a full PLDM update then
 * succeeds. The seed is fixed so a failure reproduces.
 */
class PldmPowerLossTest {
  static final int RANDOM_POINTS = 8;
  static final long SEED = 0x706C646DL;

  @TempDir static Path work;
  static Path v1;
  static Path v2;
  static UpdatePackage p1;
  static UpdatePackage p2;

  @BeforeAll
  static void build() throws Exception {
    v1 = BurnTestImages.signed(work, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    v2 = BurnTestImages.signed(work, SampleFirmware.Spec.secure("22.41.1000"), "v2");
    p1 = read(PldmTestPackages.of(work, v1, "v1"));
    p2 = read(PldmTestPackages.of(work, v2, "v2"));
  }

  private static UpdatePackage read(Path path) throws Exception {
    return new PldmPackageUpdate(PldmPackageReader.read(path), path.toString());
  }

  /** Counts PLDM messages and kills the daemon before message {@code killAt} goes out. */
  static final class KillingChannel implements PldmEndpoint {
    final PldmEndpoint inner;
    final Daemon daemon;
    final long killAt;
    final AtomicLong count = new AtomicLong();
    volatile boolean activationSent;

    KillingChannel(PldmEndpoint inner, Daemon daemon, long killAt) {
      this.inner = inner;
      this.daemon = daemon;
      this.killAt = killAt;
    }

    @Override
    public byte[] pldm(byte[] message) throws TransportException {
      if (count.incrementAndGet() == killAt) {
        daemon.kill();
      }
      // ActivateFirmware (command 0x1A) is a request: Rq bit set, type 5.
      if (message.length >= 3 && (message[0] & 0x80) != 0 && message[2] == 0x1A) {
        activationSent = true;
      }
      return inner.pldm(message);
    }
  }

  private static FwVersion version(Path image) {
    return FwVersion.parse(image == v1 ? "22.39.1002" : "22.41.1000");
  }

  private static Path running(DeviceInfo info) {
    return info.runningVersion().equals(version(v1)) ? v1 : v2;
  }

  /** The PLDM update to the image the device does not run. */
  private static void updateOther(PldmEndpoint channel, Path runs)
      throws TransportException, DeviceException, ImageRejectedException {
    new UpdateAgent(channel, "tcp").update(runs == v1 ? p2 : p1, true, BurnProgress.SILENT);
  }

  /** After a power loss: the device runs {@code expected} (or either when null); a PLDM update works. */
  private static void recoverAndUpdate(Path dir, Path before, boolean activationSent, String what)
      throws Exception {
    try (Daemon daemon = new Daemon(dir);
        TcpTransport transport = daemon.connect();
        SecureDevice session = SecureDevice.open(daemon.connect(), ms -> {}, "tcp")) {
      assertFalse(session.isLivefish(), what + ": the device fell into recovery");
      DeviceInfo info = session.query();
      if (!activationSent) {
        assertEquals(version(before), info.runningVersion(),
            what + ": the power went before ActivateFirmware, the old image must boot");
      }
      assertTrue(info.pendingVersion().isEmpty(), what + ": pending after a power cycle");
      Path runs = running(info);
      updateOther(transport, runs);
      session.reset();
      assertEquals(version(runs == v1 ? v2 : v1), session.query().runningVersion(),
          what + ": the PLDM update after the power loss did not take");
    }
  }

  @Test
  void theOldImageBootsAfterPowerLossDuringThePldmTransfer(@TempDir Path dir) throws Exception {
    Path device = BurnTestImages.device(dir.resolve("dev"), v1);
    long perUpdate;
    try (Daemon daemon = new Daemon(device);
        TcpTransport transport = daemon.connect();
        SecureDevice session = SecureDevice.open(daemon.connect(), ms -> {}, "tcp")) {
      KillingChannel counting = new KillingChannel(transport, daemon, -1);
      updateOther(counting, v1);
      perUpdate = counting.count.get();
      session.reset();
    }
    // 128 KiB in 4 KiB pieces: most of an update's messages are the transfer.
    assertTrue(perUpdate > 32, "an update took only " + perUpdate + " PLDM messages");

    Random random = new Random(SEED);
    for (int round = 0; round < RANDOM_POINTS; round++) {
      long killAt = 1 + (long) (random.nextDouble() * perUpdate);
      String what = "round " + round + " (kill at PLDM message " + killAt + "/" + perUpdate + ")";
      Path before;
      boolean activationSent;
      try (Daemon daemon = new Daemon(device);
          TcpTransport transport = daemon.connect();
          SecureDevice session = SecureDevice.open(daemon.connect(), ms -> {}, "tcp")) {
        before = running(session.query());
        KillingChannel killing = new KillingChannel(transport, daemon, killAt);
        try {
          updateOther(killing, before);
          throw new AssertionError(what + ": the update finished despite the power loss");
        } catch (TransportException | DeviceException e) {
          // the power went out under the update, as intended
        }
        activationSent = killing.activationSent;
      }
      recoverAndUpdate(device, before, activationSent, what);
    }

    // The FD's named instants: each hit exactly by halting the daemon there.
    for (FaultPoint point : List.of(
        FaultPoint.PLDM_DATA_CHUNK,
        FaultPoint.VERIFY_SLOT_HALF_WRITTEN,
        FaultPoint.VERIFY_SLOT_WRITTEN,
        FaultPoint.ACTIVATE_MAGIC_WRITTEN,
        FaultPoint.ACTIVATE_POINTER_SWITCHED)) {
      Daemon halting = new Daemon(device, "--halt-at", point.name());
      Path before;
      try (TcpTransport transport = halting.connect();
          SecureDevice session = SecureDevice.open(halting.connect(), ms -> {}, "tcp")) {
        before = running(session.query());
        try {
          updateOther(transport, before);
        } catch (TransportException | DeviceException e) {
          // halted at the fault point
        }
      }
      halting.process.waitFor(10, TimeUnit.SECONDS);
      assertEquals(137, halting.process.exitValue(), point + ": the daemon did not halt there");
      // Until the NV boot pointer names the new slot, the old image boots.
      recoverAndUpdate(device, before, point == FaultPoint.ACTIVATE_POINTER_SWITCHED,
          point.name());
    }
  }
}
