package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.testkit.Mstflint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln device exec DIR [--bdf BDF] -- COMMAND}, run as its own process with real FUSE, a
 * real private mount namespace, the unmodified Debian mstflint and our own {@code pci:}
 * transport. Fails (never skips) without root, /dev/fuse or mstflint.
 */
class DeviceExecCommandTest {
  @TempDir static Path work;
  static Path image;

  @BeforeAll
  static void build() throws Exception {
    image = BurnTestImages.signed(work, SampleFirmware.Spec.secure("22.41.1000"), "v1");
  }

  private static Path device(Path dir) throws Exception {
    return BurnTestImages.device(dir.resolve("dev"), image);
  }

  private static Mstflint.Result exec(Path device, String... commandAndBdf) {
    List<String> args = new ArrayList<>(List.of("device", "exec", device.toString()));
    args.addAll(List.of(commandAndBdf));
    return KilnChildProcess.run(args.toArray(String[]::new));
  }

  @Test
  void mstflintQueriesTheDeviceAndKilnOverPciAgrees(@TempDir Path dir) throws Exception {
    Path device = device(dir);
    String mstflint = Mstflint.require().binary().toString();
    Mstflint.Result query = exec(device, "--", mstflint, "-d", "0000:03:00.0", "query");
    assertEquals(0, query.exitCode(), query.output());
    assertEquals(SampleFirmware.PSID, query.field("PSID"), query.output());
    assertEquals("22.41.1000", query.field("FW Version"), query.output());

    List<String> ours = new ArrayList<>(List.of("device", "exec", device.toString(), "--"));
    ours.addAll(KilnChildProcess.command("query", "--device", "pci:0000:03:00.0"));
    Mstflint.Result kiln = KilnChildProcess.run(ours.toArray(String[]::new));
    assertEquals(0, kiln.exitCode(), kiln.output());
    assertEquals(query.field("PSID"), kiln.field("PSID"), kiln.output());
    assertEquals(query.field("FW Version"), kiln.field("FW Version"), kiln.output());
    assertEquals("pci:0000:03:00.0", kiln.field("Device"), kiln.output());
    // The device state on disk says the same.
    try (EmulatedDevice emulated = EmulatedDevice.open(device)) {
      assertEquals(emulated.identity().psid(), query.field("PSID"));
      assertEquals(emulated.runningVersion().orElseThrow().toString(), query.field("FW Version"));
    }
    assertNothingMounted();
  }

  @Test
  void anotherAddress(@TempDir Path dir) throws Exception {
    Mstflint.Result query =
        exec(device(dir), "--bdf", "0000:81:00.0", "--",
            Mstflint.require().binary().toString(), "-d", "0000:81:00.0", "query");
    assertEquals(0, query.exitCode(), query.output());
    assertEquals(SampleFirmware.PSID, query.field("PSID"), query.output());
  }

  @Test
  void theCommandsExitCodeIsKilnsExitCode(@TempDir Path dir) throws Exception {
    Mstflint.Result run = exec(device(dir), "--", "sh", "-c", "echo in-namespace; exit 7");
    assertEquals(7, run.exitCode(), run.output());
    assertEquals("in-namespace\n", run.stdout());
    assertEquals("", run.stderr());
    assertNothingMounted();
  }

  /**
   * SIGTERM and SIGINT sent to the kiln process reach the command (its trap runs and chooses the
   * exit code), and kiln ends with that code after cleaning up.
   */
  @Test
  void signalsToKilnReachTheCommand(@TempDir Path dir) throws Exception {
    Path device = device(dir);
    for (String signal : List.of("TERM", "INT")) {
      Path out = dir.resolve(signal + ".out");
      List<String> command =
          KilnChildProcess.command(
              "device", "exec", device.toString(), "--", "sh", "-c",
              "trap 'exit 42' " + signal + "; echo ready; while :; do sleep 0.05; done");
      Process kiln =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectOutput(out.toFile())
              .redirectError(dir.resolve(signal + ".err").toFile())
              .start();
      try {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (!(Files.exists(out) && Files.readString(out).contains("ready"))) {
          assertTrue(kiln.isAlive() && System.nanoTime() < deadline,
              "the command did not start: " + Files.readString(dir.resolve(signal + ".err")));
          Thread.sleep(20);
        }
        Process kill =
            new ProcessBuilder("kill", "-s", signal, Long.toString(kiln.pid())).start();
        assertEquals(0, kill.waitFor());
        assertTrue(kiln.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), signal);
        assertEquals(42, kiln.exitValue(),
            signal + ": " + Files.readString(dir.resolve(signal + ".err")));
      } finally {
        kiln.destroyForcibly();
      }
    }
    assertNothingMounted();
  }

  @Test
  void withoutCapSysAdminOneLineAndExitFive(@TempDir Path dir) throws Exception {
    Path device = device(dir);
    // Root without CAP_SYS_ADMIN: the files stay readable, the capability is what is missing.
    Mstflint.Result run =
        KilnChildProcess.run(
            List.of("setpriv", "--bounding-set=-sys_admin", "--inh-caps=-sys_admin", "--"),
            "device", "exec", device.toString(), "--", "true");
    assertEquals(ExitCodes.DEVICE, run.exitCode(), run.output());
    assertEquals("", run.stdout());
    assertEquals(1, run.stderr().lines().count(), run.stderr());
    assertTrue(run.stderr().startsWith("kiln: device exec: "), run.stderr());
    assertTrue(run.stderr().contains("CAP_SYS_ADMIN"), run.stderr());
    assertNothingMounted();
  }

  @Test
  void aLivefishDeviceIsReportedAsLivefishByMstflintsToolsAndByKiln(@TempDir Path dir)
      throws Exception {
    Path device = device(dir);
    // No valid image left on flash: the boot ROM falls into flash recovery (livefish).
    Path flash = device.resolve(EmulatedDevice.FLASH_FILE);
    byte[] erased = new byte[(int) Files.size(flash)];
    java.util.Arrays.fill(erased, (byte) 0xFF);
    Files.write(flash, erased);
    Path mstconfig = Mstflint.require().binary().resolveSibling("mstconfig");
    Mstflint.Result config =
        exec(device, "--", mstconfig.toString(), "-d", "0000:03:00.0", "query");
    assertEquals("-E- Device in Livefish mode is not supported", config.output().strip());
    List<String> ours = new ArrayList<>(List.of("device", "exec", device.toString(), "--"));
    ours.addAll(KilnChildProcess.command("query", "--device", "pci:0000:03:00.0"));
    Mstflint.Result kiln = KilnChildProcess.run(ours.toArray(String[]::new));
    assertEquals(ExitCodes.DEVICE, kiln.exitCode(), kiln.output());
    assertTrue(kiln.stderr().startsWith(
        "kiln: pci:0000:03:00.0 is in flash-not-present (livefish) recovery mode"), kiln.stderr());
    assertNothingMounted();
  }

  @Test
  void badInput(@TempDir Path dir) throws Exception {
    Mstflint.Result badBdf = exec(device(dir), "--bdf", "03:00", "--", "true");
    assertEquals(ExitCodes.USAGE, badBdf.exitCode(), badBdf.output());
    assertTrue(badBdf.stderr().startsWith("kiln: --bdf 03:00 is not a PCI address"),
        badBdf.stderr());
    Mstflint.Result noDevice = exec(dir.resolve("missing"), "--", "true");
    assertEquals(ExitCodes.DEVICE, noDevice.exitCode(), noDevice.output());
    assertEquals(1, noDevice.stderr().lines().count(), noDevice.stderr());
    Path notADevice = Files.createDirectories(dir.resolve("empty"));
    Mstflint.Result empty = exec(notADevice, "--", "true");
    assertEquals(ExitCodes.DEVICE, empty.exitCode(), empty.output());
    assertEquals(1, empty.stderr().lines().count(), empty.stderr());
    assertTrue(empty.stderr().startsWith("kiln: emu:"), empty.stderr());
  }

  static void assertNothingMounted() throws Exception {
    String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
    assertFalse(mounts.contains("kiln-pcifn"), mounts);
  }
}
