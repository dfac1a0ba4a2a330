package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.BurnOptions;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.burner.transport.TcpTransport;
import dev.kiln.emulator.DeviceServer;
import dev.kiln.emulator.WireProtocol;
import dev.kiln.inspector.format.Fs4Magic;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon under load, loopback only and bounded: a daemon JVM limited to a 64 MiB heap holds
 * 1,000 idle unauthenticated connections and 50 stalled frames declaring 1 MiB each while 50
 * clients query the device concurrently and one burns it. The burn succeeds, every query
 * answers, the daemon does not run out of memory and its resident size stays under the bound
 * docs/emulator.md states (256 MiB).
 */
class DaemonLoadTest {
  static final int IDLE = 1000;
  static final int QUERIERS = 50;
  static final long RSS_BOUND_KIB = 256 * 1024;

  @Test
  void holdsIdleFloodsAndConcurrentClientsDuringABurn(@TempDir Path dir) throws Exception {
    Path v1 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    Path v2 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.41.1000"), "v2");
    Path deviceDir = BurnTestImages.device(dir.resolve("dev"), v1);
    byte[] component = Files.readAllBytes(v2);
    Arrays.fill(component, 0, Fs4Magic.LENGTH, (byte) 0xFF);
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
            "-cp", System.getProperty("java.class.path"), DeviceServer.class.getName(),
            deviceDir.toString(), "--listen", "127.0.0.1:0", "--auth-timeout", "120");
    Process daemon = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<Socket> idle = new ArrayList<>();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertNotNull(line);
      assertTrue(line.startsWith("listening on "), line);
      int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
      Path token = deviceDir.resolve(WireProtocol.TOKEN_FILE);

      for (int i = 0; i < IDLE; i++) {
        idle.add(new Socket("127.0.0.1", port));
      }
      for (int i = 0; i < 50; i++) {
        Socket stalled = new Socket("127.0.0.1", port);
        new DataOutputStream(stalled.getOutputStream()).writeInt(1 << 20);
        idle.add(stalled);
      }

      AtomicReference<Throwable> burnFailure = new AtomicReference<>();
      Thread burner =
          new Thread(
              () -> {
                try (SecureDevice session =
                    SecureDevice.open(TcpTransport.connect("127.0.0.1", port, 60_000, token),
                        ms -> {}, "burner")) {
                  session.burn(
                      component, new BurnOptions(true, FwVersion.parse("22.41.1000")),
                      BurnProgress.SILENT);
                } catch (Throwable e) {
                  burnFailure.set(e);
                }
              });
      AtomicInteger answered = new AtomicInteger();
      AtomicReference<Throwable> queryFailure = new AtomicReference<>();
      List<Thread> queriers = new ArrayList<>();
      for (int i = 0; i < QUERIERS; i++) {
        queriers.add(
            new Thread(
                () -> {
                  try (SecureDevice session =
                      SecureDevice.open(TcpTransport.connect("127.0.0.1", port, 60_000, token),
                          ms -> {}, "querier")) {
                    for (int q = 0; q < 3; q++) {
                      session.generalInfo();
                      answered.incrementAndGet();
                    }
                  } catch (Throwable e) {
                    queryFailure.compareAndSet(null, e);
                  }
                }));
      }
      burner.start();
      queriers.forEach(Thread::start);
      burner.join(60_000);
      for (Thread querier : queriers) {
        querier.join(60_000);
      }
      assertNull(burnFailure.get(), () -> "the burn failed: " + burnFailure.get());
      assertNull(queryFailure.get(), () -> "a query failed: " + queryFailure.get());
      assertEquals(QUERIERS * 3, answered.get());
      assertTrue(daemon.isAlive(), "the daemon survived");
      long rss = residentKib(daemon.pid());
      assertTrue(rss < RSS_BOUND_KIB, "daemon resident size " + rss + " KiB");
      try (SecureDevice session =
          SecureDevice.open(TcpTransport.connect("127.0.0.1", port, 60_000, token), ms -> {},
              "after")) {
        assertEquals(FwVersion.parse("22.41.1000"), session.query().pendingVersion().orElseThrow());
      }
    } finally {
      for (Socket socket : idle) {
        socket.close();
      }
      daemon.destroyForcibly();
      daemon.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static long residentKib(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new AssertionError("no VmRSS for " + pid);
  }
}
