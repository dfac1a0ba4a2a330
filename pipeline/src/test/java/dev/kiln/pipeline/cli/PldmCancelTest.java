package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.BurnCancelledException;
import dev.kiln.burner.CancellationToken;
import dev.kiln.burner.pldm.UpdateAgent;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.burner.transport.TcpTransport;
import dev.kiln.emulator.DeviceServer;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.packages.pldm.PldmPackageReader;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.registers.pldm.FwUpdateCommand;
import dev.kiln.registers.pldm.GetStatus;
import dev.kiln.registers.pldm.PldmMessage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PLDM update cancelled in the middle of the transfer: the update agent sends
 * CancelUpdateComponent and CancelUpdate, the device leaves update mode at once (an MCC burn and
 * a new PLDM update are taken right away) and keeps running its old image with nothing pending;
 * {@code kiln burn --via pldm} does so on SIGINT, exit 130.
 */
class PldmCancelTest {
  @TempDir static Path work;
  static Path v1;
  static Path v2;
  static Path p2;

  @BeforeAll
  static void build() throws Exception {
    v1 = BurnTestImages.signedLarge(work, SampleFirmware.Spec.secure("22.39.1002"), "v1", 4);
    v2 = BurnTestImages.signedLarge(work, SampleFirmware.Spec.secure("22.41.1000"), "v2", 4);
    p2 = PldmTestPackages.of(work, v2, "v2");
  }

  @Test
  void aCancelMidTransferLeavesUpdateModeAndTheOldImage(@TempDir Path dir) throws Exception {
    Path deviceDir = BurnTestImages.device(dir.resolve("dev"), v1);
    try (EmulatedDevice device = EmulatedDevice.open(deviceDir);
        DeviceServer server = DeviceServer.start(device, InetAddress.getLoopbackAddress(), 0);
        TcpTransport channel =
            TcpTransport.connect("127.0.0.1", server.port(), 10_000, server.tokenFile())) {
      CancellationToken token = new CancellationToken();
      AtomicLong cancelledAt = new AtomicLong(-1);
      BurnProgress halfway = new BurnProgress() {
        @Override
        public void written(long done, long total) {
          if (done * 2 >= total && cancelledAt.get() < 0) {
            cancelledAt.set(done);
            token.cancel("test: SIGINT");
          }
        }
      };
      UpdateAgent agent = new UpdateAgent(channel, "tcp");
      var pkg = new PldmPackageUpdate(PldmPackageReader.read(p2), p2.toString());
      assertThrows(BurnCancelledException.class,
          () -> agent.update(pkg, true, token.checkpoints(halfway)));
      assertTrue(cancelledAt.get() > 0 && cancelledAt.get() < v2.toFile().length(),
          "cancelled at " + cancelledAt.get());
      // The device says why it went back to IDLE, and from READY XFER: CancelUpdateComponent
      // ended the download first, then CancelUpdate ended update mode.
      PldmMessage status = PldmMessage.decode(channel.pldm(
          PldmMessage.request(1, FwUpdateCommand.GET_STATUS, new byte[0]).encode()));
      GetStatus.Response fields = GetStatus.Response.decode(status.payload());
      assertEquals(dev.kiln.registers.pldm.FirmwareDeviceState.IDLE, fields.current());
      assertEquals(dev.kiln.registers.pldm.FirmwareDeviceState.READY_XFER, fields.previous());
      assertEquals(GetStatus.REASON_CANCEL_UPDATE, fields.reasonCode());
      assertEquals(Optional.of(FwVersion.parse("22.39.1002")), device.runningVersion());
      assertTrue(device.pendingVersion().isEmpty());
      // The update path is free at once: the MCC path takes a handle, burns and releases it.
      String uri = "tcp://127.0.0.1:" + server.port() + "?token-file=" + server.tokenFile();
      BurnTestImages.Run mcc = kiln("burn", "--device", uri, v2.toString(), "--yes");
      assertEquals(0, mcc.exitCode(), mcc.err());
      assertEquals(Optional.of(FwVersion.parse("22.41.1000")), device.pendingVersion());
    }
  }

  @Test
  void sigintStopsAPldmBurnAndTheNextOneIsTakenAtOnce(@TempDir Path dir) throws Exception {
    Path deviceDir = BurnTestImages.device(dir.resolve("dev"), v1);
    int cancelled = 0;
    try (EmulatedDevice device = EmulatedDevice.open(deviceDir);
        DeviceServer server = DeviceServer.start(device, InetAddress.getLoopbackAddress(), 0)) {
      String uri = "tcp://127.0.0.1:" + server.port() + "?token-file=" + server.tokenFile();
      for (int round = 0; round < 6 && cancelled == 0; round++) {
        String context = "round " + round;
        Process burn = BurnInterruptTest.kilnChild(new ArrayList<>(List.of(
            "burn", "--via", "pldm", p2.toString(), "--device", uri, "--yes")));
        BufferedReader progress = new BufferedReader(
            new InputStreamReader(burn.getErrorStream(), StandardCharsets.UTF_8));
        StringBuilder err = new StringBuilder();
        for (String line = progress.readLine(); line != null; line = progress.readLine()) {
          err.append(line).append('\n');
          if (line.startsWith("Updating component")) {
            // The transfer starts now: stop it as an operator's Ctrl-C would.
            BurnInterruptTest.signal(burn, "INT");
            break;
          }
        }
        for (String line = progress.readLine(); line != null; line = progress.readLine()) {
          err.append(line).append('\n');
        }
        assertTrue(burn.waitFor(30, TimeUnit.SECONDS), context);
        int exit = burn.exitValue();
        if (exit == 130 && err.toString().contains("interrupted: the update was cancelled (CancelUpdateComponent,"
            + " CancelUpdate) and the device left update mode")) {
          cancelled++;
          assertEquals(Optional.of(FwVersion.parse("22.39.1002")), device.runningVersion(),
              context);
          assertTrue(device.pendingVersion().isEmpty(), context + ": " + err);
        } else {
          // The signal came after ActivateFirmware: the update ran to its end.
          assertTrue(exit == 0 || exit == 130, context + ": exit " + exit + ": " + err);
          assertEquals(Optional.of(FwVersion.parse("22.41.1000")), device.pendingVersion(),
              context + ": " + err);
          assertEquals(0, kiln("device", "reset", "--device", uri).exitCode(), context);
          assertEquals(0, kiln("burn", "--device", uri, v1.toString(), "--yes", "--force")
              .exitCode(), context);
          assertEquals(0, kiln("device", "reset", "--device", uri).exitCode(), context);
        }
      }
      assertTrue(cancelled > 0, "no SIGINT landed inside the PLDM transfer in 6 rounds");
      // Nothing waits for an idle timeout: the next PLDM update is taken at once.
      BurnTestImages.Run again =
          kiln("burn", "--via", "pldm", p2.toString(), "--device", uri, "--yes");
      assertEquals(0, again.exitCode(), again.err());
      assertEquals(Optional.of(FwVersion.parse("22.41.1000")), device.pendingVersion());
    }
  }
}
