package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.emulator.DeviceServer;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.burnlog.BurnLog;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.registers.FsmState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code kiln burn} child process over {@code tcp://} stopped at random points, by SIGINT or
 * SIGTERM (it must cancel, release the handle, say so and leave one log record, also after a torn
 * line another writer left in the log) and by SIGKILL (the daemon
 * must release the handle of the dead connection): after each, the device is idle at once, runs
 * the old or the new image and nothing else, and the next burn succeeds without waiting for the
 * 300 s idle timeout.
 */
class BurnInterruptTest {
  @TempDir static Path work;
  static Path v1;
  static Path v2;

  @BeforeAll
  static void images() throws Exception {
    v1 = BurnTestImages.signed(work, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    v2 = BurnTestImages.signed(work, SampleFirmware.Spec.secure("22.41.1000"), "v2");
  }

  /** Starts {@code kiln burn} as a child JVM. */
  private static Process child(String device, Path image, Path log) throws Exception {
    List<String> args =
        new ArrayList<>(List.of("burn", "--device", device, image.toString(), "--yes", "--force"));
    if (log != null) {
      args.addAll(List.of("--log", log.toString()));
    }
    return kilnChild(args);
  }

  /** Starts {@code kiln ARGS} as a child JVM that starts quickly (C1 only, serial GC, CDS). */
  static Process kilnChild(List<String> args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-Xshare:auto");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Kiln.class.getName());
    command.addAll(args);
    return new ProcessBuilder(command).start();
  }

  /** Sends SIG{@code name} (e.g. "INT") to {@code process} with kill(1). */
  static void signal(Process process, String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
  }

  /** Waits for the stderr line "Locking the update handle ..." (the burn starts); false at its end. */
  private static boolean awaitBurnStart(BufferedReader out) throws Exception {
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith("Locking the update handle")) {
        return true;
      }
    }
    return false;
  }

  private static void awaitIdle(EmulatedDevice device) throws InterruptedException {
    awaitIdle(device, "");
  }

  /**
   * Waits, at most 10 s (far less than the device's 300 s idle timeout), for the handle to be
   * free; {@code context} goes into the failure message.
   */
  static void awaitIdle(EmulatedDevice device, String context) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (device.fsmState() != FsmState.IDLE) {
      assertTrue(System.nanoTime() < deadline,
          context + ": the handle is still held: " + device.fsmState());
      Thread.sleep(10);
    }
  }

  @Test
  void sigintAndSigkillAtRandomPointsLeaveTheHandleFreeAndOneRecordPerAttempt(
      @TempDir Path dir) throws Exception {
    Path deviceDir = BurnTestImages.device(dir.resolve("dev"), v1);
    Path log = dir.resolve("burn.log");
    long seed = System.nanoTime();
    Random random = new Random(seed);
    int attempts = 0;
    int cancelled = 0;
    try (EmulatedDevice device = EmulatedDevice.open(deviceDir);
        DeviceServer server = DeviceServer.start(device, InetAddress.getLoopbackAddress(), 0)) {
      String uri = "tcp://127.0.0.1:" + server.port() + "?token-file=" + server.tokenFile();
      for (int round = 0; round < 20; round++) {
        boolean sigkill = round % 2 == 1;
        String signal = sigkill ? "KILL" : round % 4 == 0 ? "INT" : "TERM";
        int interruptedExit = signal.equals("INT") ? 130 : 143;
        String context = "seed " + seed + " round " + round + " SIG" + signal;
        if (round % 6 == 4) {
          // Another writer crashed in the middle of an append: a torn last line.
          Files.writeString(log, "{\"seq\":1000,\"time\":\"2026-", StandardOpenOption.APPEND);
        }
        FwVersion runningBefore = device.runningVersion().orElseThrow();
        Path target = runningBefore.equals(FwVersion.parse("22.39.1002")) ? v2 : v1;
        Process burn = child(uri, target, sigkill ? null : log);
        // Progress (and so the burn's first step) is on stderr; stdout has the result.
        BufferedReader progress =
            new BufferedReader(
                new InputStreamReader(burn.getErrorStream(), StandardCharsets.UTF_8));
        // Half the rounds stop it at a random instant from its start (JVM start, query,
        // pre-check), half at a random instant after the burn took the handle.
        boolean inBurn = random.nextBoolean();
        StringBuilder stderr = new StringBuilder();
        if (inBurn && !awaitBurnStart(progress)) {
          inBurn = false;
        }
        Thread.sleep(random.nextInt(inBurn ? 400 : 1500));
        signal(burn, signal);
        Thread reader = new Thread(() -> drain(progress, stderr));
        reader.start();
        String stdout = new String(burn.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(burn.waitFor(30, TimeUnit.SECONDS), context);
        reader.join(10_000);
        // Without the progress lines: what kiln said about the outcome, then stdout.
        String err =
            stderr.toString().lines()
                    .filter(line -> !line.endsWith(" ...") && !line.startsWith("Writing:"))
                    .collect(java.util.stream.Collectors.joining("\n"))
                + " / stdout: " + stdout;
        int exit = burn.exitValue();
        boolean vmStarting = err.contains("Error occurred during initialization of VM");
        if (!sigkill) {
          attempts++;
          assertTrue(
              exit == 0 || exit == interruptedExit || vmStarting,
              context + ": exit " + exit + ": " + err);
          if (vmStarting || exit == interruptedExit && err.startsWith(" / stdout")) {
            // The signal came before kiln had started the command (JVM start-up; a signal inside
            // the VM's own initialization makes it fail with exit 1): nothing was touched and
            // there is no attempt to record.
            attempts--;
          } else if (exit == interruptedExit && err.contains("the burn completed")) {
            // The signal came after ACTIVATE: the burn ran to its end and says so (the JVM still
            // exits 130, as for any process stopped by SIGINT).
            assertTrue(device.pendingVersion().isPresent(), context);
          } else if (exit == interruptedExit) {
            assertTrue(err.contains("interrupted"), context + ": " + err);
            cancelled++;
          }
        }
        awaitIdle(device);
        FwVersion flash = device.pendingVersion().orElse(device.runningVersion().orElseThrow());
        assertTrue(
            flash.equals(runningBefore)
                || flash.equals(FwVersion.parse(target.equals(v1) ? "22.39.1002" : "22.41.1000")),
            context + ": the device shows " + flash);
        // The next burn succeeds at once: a reset to load what is pending, then the other image.
        if (device.pendingVersion().isPresent()) {
          assertEquals(0, kiln("device", "reset", "--device", uri).exitCode(), context);
        }
        Path next = device.runningVersion().orElseThrow().equals(FwVersion.parse("22.39.1002"))
            ? v2 : v1;
        BurnTestImages.Run again =
            kiln("burn", "--device", uri, next.toString(), "--yes", "--force", "--log",
                log.toString());
        attempts++;
        assertEquals(0, again.exitCode(), context + ": " + again.err() + again.out());
        assertEquals(0, kiln("device", "reset", "--device", uri).exitCode(), context);
      }
    }
    // Typically more than half of the 10 SIGINT/SIGTERM rounds land inside the transfer.
    assertTrue(cancelled > 0, "no SIGINT landed inside a burn, seed " + seed);
    BurnLog.Verification verification = new BurnLog(log).verify();
    assertTrue(verification.intact(), verification.message());
    assertEquals(attempts, verification.records().size(), "one record per attempt, seed " + seed);
    assertTrue(
        verification.records().stream().filter(r -> r.result().equals("interrupted")).count()
            >= cancelled);
  }

  private static void drain(BufferedReader out, StringBuilder text) {
    try {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        synchronized (text) {
          text.append(line).append('\n');
        }
      }
    } catch (java.io.IOException e) {
      // the child is gone
    }
  }

  @Test
  void releaseFreesAHandleLeftByAnotherHostAndRefusesAnActiveOwner(@TempDir Path dir)
      throws Exception {
    Path deviceDir = BurnTestImages.device(dir.resolve("dev"), v1);
    java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(1);
    try (EmulatedDevice device =
            EmulatedDevice.open(
                deviceDir, EmulatedDevice.Options.defaults().withClock(clock::get));
        DeviceServer server = DeviceServer.start(device, InetAddress.getLoopbackAddress(), 0)) {
      String uri = "tcp://127.0.0.1:" + server.port();
      String token = server.tokenFile().toString();
      assertEquals(0, kiln("device", "release", "--device", uri, "--token-file", token)
          .exitCode());
      // A host holding the handle (alive: its connection stays open).
      try (var owner =
          dev.kiln.burner.SecureDevice.open(
              dev.kiln.burner.transport.TcpTransport.connect(
                  "127.0.0.1", server.port(), 10_000, server.tokenFile()),
              ms -> {}, "owner")) {
        var host = owner.client();
        int handle =
            dev.kiln.registers.Mcc.decode(
                    host.get(
                            dev.kiln.registers.AccessRegister.MCC,
                            dev.kiln.registers.Mcc.command(
                                    dev.kiln.registers.MccInstruction.QUERY, 0, 0, 0)
                                .encode())
                        .payload())
                .updateHandle();
        host.set(
            dev.kiln.registers.AccessRegister.MCC,
            dev.kiln.registers.Mcc.command(
                    dev.kiln.registers.MccInstruction.LOCK_UPDATE_HANDLE, 0, handle, 0)
                .encode());
        assertEquals(FsmState.LOCKED, device.fsmState());
        BurnTestImages.Run refused =
            kiln("device", "release", "--device", uri, "--token-file", token);
        assertEquals(1, refused.exitCode(), refused.err());
        assertTrue(refused.err().contains("in use by an active owner"), refused.err());
        BurnTestImages.Run busy = kiln("burn", "--device", uri, "--token-file", token,
            v1.toString(), "--yes", "--force");
        assertTrue(busy.err().contains("device busy"), busy.err());
        // 45 s of silence from the owner: it counts as dead.
        clock.addAndGet(45_000_000_000L);
        BurnTestImages.Run released =
            kiln("device", "release", "--device", uri, "--token-file", token);
        assertEquals(0, released.exitCode(), released.err());
        assertTrue(released.out().contains("released: the update handle is held"), released.out());
        assertEquals(FsmState.IDLE, device.fsmState());
      }
      assertEquals(
          0,
          kiln("burn", "--device", uri, "--token-file", token, v2.toString(), "--yes").exitCode());
    }
    assertTrue(Files.exists(deviceDir));
  }
}
