package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.BurnOptions;
import dev.kiln.burner.DeviceException;
import dev.kiln.burner.DeviceInfo;
import dev.kiln.burner.ImageRejectedException;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.burner.transport.TcpTransport;
import dev.kiln.emulator.DeviceServer;
import dev.kiln.emulator.FaultPoint;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.UpdateComponent;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power loss during a burn: the emulator daemon runs as a child JVM and is killed ({@code kill
 * -9}) at random points of the burner's register traffic - between transactions and, racing a
 * transaction in flight, inside one - and at each of the emulator's named flash-changing fault
 * points. After every kill the daemon is started again on the same device directory (the next
 * power-on); the device must run a valid image (the old one, or the new one if activation had
 * completed) and a second burn must succeed.
 *
 * <p>One device directory is reused: each round burns the image the device is not running, so
 * the rounds chain without building new images. The seed is fixed so a failure reproduces.
 */
class BurnPowerLossTest {
  static final int RANDOM_POINTS = 50;
  static final long SEED = 0x6B696C6EL;

  @TempDir static Path work;
  static Path v1;
  static Path v2;
  static byte[] component1;
  static byte[] component2;

  @BeforeAll
  static void buildImages() throws Exception {
    v1 = BurnTestImages.signed(work, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    v2 = BurnTestImages.signed(work, SampleFirmware.Spec.secure("22.41.1000"), "v2");
    component1 = component(v1);
    component2 = component(v2);
  }

  static byte[] component(Path image) throws Exception {
    return UpdateComponent.bytes(ImageParser.parse(image));
  }

  /** The daemon as a child process. */
  static final class Daemon implements AutoCloseable {
    final Process process;
    final int port;
    final Path tokenFile;

    Daemon(Path dir, String... extra) throws Exception {
      tokenFile = dir.resolve(dev.kiln.emulator.WireProtocol.TOKEN_FILE);
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-XX:TieredStopAtLevel=1");
      command.add("-XX:+UseSerialGC");
      command.add("-Xshare:auto");
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(DeviceServer.class.getName());
      command.add(dir.toString());
      command.add("--listen");
      command.add("127.0.0.1:0");
      command.addAll(List.of(extra));
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertNotNull(line, "the daemon printed nothing");
      assertTrue(line.startsWith("listening on "), line);
      port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
    }

    TcpTransport connect() throws TransportException {
      return TcpTransport.connect("127.0.0.1", port, 10_000, tokenFile);
    }

    /** Power loss: SIGKILL, no shutdown hooks, nothing flushed. */
    void kill() {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      kill();
    }
  }

  /** Forwards to the daemon and kills it at transaction {@code killAt}, maybe mid-flight. */
  static final class KillingTransport implements RegisterTransport {
    final RegisterTransport inner;
    final Daemon daemon;
    final long killAt;
    final int delayMicros;
    final AtomicLong count = new AtomicLong();

    KillingTransport(RegisterTransport inner, Daemon daemon, long killAt, int delayMicros) {
      this.inner = inner;
      this.daemon = daemon;
      this.killAt = killAt;
      this.delayMicros = delayMicros;
    }

    @Override
    public byte[] exchange(byte[] request) throws TransportException {
      if (count.incrementAndGet() == killAt) {
        if (delayMicros < 0) {
          kill();
        } else {
          // Race the kill against this transaction: it lands before, during or after it.
          Thread killer =
              new Thread(
                  () -> {
                    long until = System.nanoTime() + delayMicros * 1000L;
                    while (System.nanoTime() < until) {
                      Thread.onSpinWait();
                    }
                    kill();
                  });
          killer.start();
        }
      }
      return inner.exchange(request);
    }

    private void kill() {
      daemon.kill();
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

  private static boolean runs(DeviceInfo info, Path image) {
    return info.runningVersion().equals(version(image));
  }

  private static FwVersion version(Path image) {
    return image == v1 ? FwVersion.parse("22.39.1002") : FwVersion.parse("22.41.1000");
  }

  /** Burns the image the device does not run; returns it. */
  private static Path burnOther(SecureDevice session, DeviceInfo info) throws Exception {
    Path target = runs(info, v1) ? v2 : v1;
    session.burn(
        target == v1 ? component1 : component2,
        new BurnOptions(true, version(target)),
        BurnProgress.SILENT);
    return target;
  }

  /** After a power loss: a valid image runs, and a full burn + reset works. */
  private static Daemon recoverAndBurn(Path dir, Path before, Path attempted, String what)
      throws Exception {
    Daemon daemon = new Daemon(dir);
    try (SecureDevice session = SecureDevice.open(daemon.connect(), ms -> {}, "tcp")) {
      assertFalse(session.isLivefish(), what + ": device fell into recovery after power loss");
      DeviceInfo info = session.query();
      assertTrue(
          runs(info, before) || runs(info, attempted),
          what + ": runs " + info.runningVersion() + ", neither old nor new");
      if (info.pendingVersion().isPresent()) {
        session.reset();
        info = session.query();
      }
      Path burnt = burnOther(session, info);
      session.reset();
      assertTrue(runs(session.query(), burnt), what + ": the second burn did not take");
    } catch (Exception | AssertionError e) {
      daemon.close();
      throw e;
    }
    return daemon;
  }

  @Test
  void survivesKillsAtRandomPointsAndAtEveryFaultPoint(@TempDir Path dir) throws Exception {
    Path device = BurnTestImages.device(dir.resolve("dev"), v1);
    // How many transactions one burn takes, measured on this device.
    long perBurn;
    Daemon daemon = new Daemon(device);
    try (SecureDevice session = SecureDevice.open(daemon.connect(), ms -> {}, "tcp")) {
      long start = session.client().transactions();
      burnOther(session, session.query());
      perBurn = session.client().transactions() - start;
      session.reset();
    }
    assertTrue(perBurn > 100, "a burn took only " + perBurn + " transactions");

    Random random = new Random(SEED);
    int failedBurns = 0;
    for (int round = 0; round < RANDOM_POINTS; round++) {
      long killAt = 1 + (long) (random.nextDouble() * perBurn);
      int delayMicros = random.nextBoolean() ? -1 : random.nextInt(400);
      String what = "round " + round + " (kill at transaction " + killAt + "/" + perBurn + ")";
      Path before;
      Path attempted;
      try (SecureDevice session =
          SecureDevice.open(
              new KillingTransport(daemon.connect(), daemon, killAt, delayMicros),
              ms -> {},
              "tcp")) {
        DeviceInfo info = session.query();
        before = runs(info, v1) ? v1 : v2;
        attempted = before == v1 ? v2 : v1;
        try {
          burnOther(session, info);
        } catch (TransportException | DeviceException e) {
          failedBurns++; // the power went out under the burn, as intended
        } catch (ImageRejectedException e) {
          throw new AssertionError(what + ": image rejected: " + e.getMessage(), e);
        }
      } catch (TransportException e) {
        // The kill landed during the query or the close: nothing was burnt.
        before = null;
        attempted = null;
      }
      daemon.close();
      if (before == null) {
        before = v1;
        attempted = v2;
      }
      daemon = recoverAndBurn(device, before, attempted, what);
    }
    daemon.close();
    assertTrue(failedBurns >= RANDOM_POINTS / 2, "only " + failedBurns + " burns were cut");

    // The emulator's named flash-changing instants, each hit exactly by halting the daemon there.
    for (FaultPoint point :
        List.of(
            FaultPoint.MCDA_CHUNK,
            FaultPoint.VERIFY_SLOT_HALF_WRITTEN,
            FaultPoint.VERIFY_SLOT_WRITTEN,
            FaultPoint.ACTIVATE_MAGIC_WRITTEN,
            FaultPoint.ACTIVATE_POINTER_SWITCHED,
            FaultPoint.ACTIVATE_OLD_INVALIDATED)) {
      Daemon halting = new Daemon(device, "--halt-at", point.name());
      Path before;
      try (SecureDevice session = SecureDevice.open(halting.connect(), ms -> {}, "tcp")) {
        DeviceInfo info = session.query();
        before = runs(info, v1) ? v1 : v2;
        try {
          burnOther(session, info);
        } catch (TransportException | DeviceException e) {
          // halted at the fault point
        }
      }
      halting.process.waitFor(10, TimeUnit.SECONDS);
      assertEquals(137, halting.process.exitValue(), point + ": the daemon did not halt there");
      recoverAndBurn(device, before, before == v1 ? v2 : v1, point.name()).close();
    }
  }
}
