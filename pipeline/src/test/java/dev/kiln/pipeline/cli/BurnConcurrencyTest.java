package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.BurnOptions;
import dev.kiln.burner.BurnReport;
import dev.kiln.burner.DeviceException;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.burner.transport.TcpTransport;
import dev.kiln.emulator.DeviceServer;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.UpdateComponent;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two burners on one device at once (two connections to the daemon): the first holds the update
 * handle; the second fails at once with "device busy" and sends no data (no MCDA, no UPDATE); the
 * first then completes.
 */
class BurnConcurrencyTest {

  /** Counts the MCDA and MCC SET transactions a burner sends. */
  static final class Counting implements RegisterTransport {
    final RegisterTransport inner;
    final AtomicInteger mcda = new AtomicInteger();
    final AtomicInteger mccSets = new AtomicInteger();

    Counting(RegisterTransport inner) {
      this.inner = inner;
    }

    @Override
    public byte[] exchange(byte[] request) throws TransportException {
      RegisterEnvelope envelope = RegisterEnvelope.decode(request);
      if (envelope.registerId() == AccessRegister.MCDA.id()) {
        mcda.incrementAndGet();
      }
      if (envelope.registerId() == AccessRegister.MCC.id() && envelope.methodCode() == 2) {
        mccSets.incrementAndGet();
      }
      return inner.exchange(request);
    }

    @Override
    public String describe() {
      return inner.describe();
    }

    @Override
    public void close() throws TransportException {
      inner.close();
    }
  }

  @Test
  void theSecondBurnerFailsAtOnceWithDeviceBusyAndWritesNothing(@TempDir Path dir)
      throws Exception {
    Path v1 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    Path v2 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.41.1000"), "v2");
    byte[] component = UpdateComponent.bytes(ImageParser.parse(v2));
    Path deviceDir = BurnTestImages.device(dir.resolve("dev"), v1);
    try (EmulatedDevice device = EmulatedDevice.open(deviceDir);
        DeviceServer server = DeviceServer.start(device, InetAddress.getLoopbackAddress(), 0)) {
      Counting secondWire =
          new Counting(TcpTransport.connect("127.0.0.1", server.port(), 10_000, server.tokenFile()));
      AtomicReference<DeviceException> secondFailure = new AtomicReference<>();
      AtomicReference<Long> secondMillis = new AtomicReference<>();
      try (SecureDevice first =
              SecureDevice.open(
                  TcpTransport.connect("127.0.0.1", server.port(), 10_000, server.tokenFile()), ms -> {}, "first");
          SecureDevice second = SecureDevice.open(secondWire, ms -> {}, "second")) {
        // The second burner starts while the first is halfway through its transfer.
        BurnProgress whenHalfway =
            new BurnProgress() {
              boolean started;

              @Override
              public void written(long done, long total) {
                if (!started && done >= total / 2) {
                  started = true;
                  long start = System.nanoTime();
                  secondFailure.set(
                      assertThrows(
                          DeviceException.class,
                          () ->
                              second.burn(
                                  component,
                                  new BurnOptions(true, FwVersion.parse("22.41.1000")),
                                  BurnProgress.SILENT)));
                  secondMillis.set((System.nanoTime() - start) / 1_000_000);
                }
              }
            };
        BurnReport report =
            first.burn(
                component, new BurnOptions(true, FwVersion.parse("22.41.1000")), whenHalfway);
        assertEquals(FwVersion.parse("22.41.1000"), report.pendingVersion().orElseThrow());
      }
      assertTrue(
          secondFailure.get().getMessage().contains("device busy"),
          secondFailure.get().getMessage());
      assertEquals(0, secondWire.mcda.get(), "the second burner sent MCDA data");
      assertEquals(0, secondWire.mccSets.get(), "the second burner sent an MCC command");
      // "At once": no retry loop, no waiting for the handle (generous bound for a loaded CI box).
      assertTrue(
          secondMillis.get() < 5_000, "the second burner took " + secondMillis.get() + " ms");
    }
  }
}
