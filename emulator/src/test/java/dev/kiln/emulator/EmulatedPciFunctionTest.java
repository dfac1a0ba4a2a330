package dev.kiln.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.emulator.pcifunction.EmulatedPciExec;
import dev.kiln.emulator.pcifunction.NamespacedCommand;
import dev.kiln.testkit.Mstflint;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The emulated PCI function with real FUSE, a real private mount namespace and the unmodified
 * Debian mstflint 4.21: what mstflint reads through {@code /sys/bus/pci/devices/BDF/config} is the
 * emulated device's state. Fails (never skips) without root, /dev/fuse or mstflint.
 */
class EmulatedPciFunctionTest {
  @TempDir static Path work;
  static byte[] v1;

  @BeforeAll
  static void images() throws Exception {
    v1 = TestImages.build(work, TestImages.spec(22, 41, 1000));
  }

  @Test
  void mstflintQueriesTheEmulatedDevice(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    Mstflint.Result query = EmulatedPciExec.mstflint(dir, "query");
    assertEquals(0, query.exitCode(), query.output());
    assertEquals(TestImages.PSID, query.field("PSID"), query.output());
    assertEquals("22.41.1000", query.field("FW Version"), query.output());
    assertEquals("secure-fw", query.field("Security Attributes"), query.output());
    assertNothingMounted();
  }

  @Test
  void anyAddressCanBeTheFunction(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    Mstflint.Result query =
        EmulatedPciExec.run(
            dir, "0000:5e:00.1",
            List.of(Mstflint.require().binary().toString(), "-d", "0000:5e:00.1", "query"));
    assertEquals(0, query.exitCode(), query.output());
    assertEquals(TestImages.PSID, query.field("PSID"), query.output());
  }

  @Test
  void theSysfsFilesDescribeTheFunction(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    String function = "/sys/bus/pci/devices/" + EmulatedPciExec.BDF;
    // Bytes 1..3 of the header read on their own: the device id's low byte and the vendor id
    // high byte, so reads that start inside a dword map onto it.
    Mstflint.Result files =
        EmulatedPciExec.run(
            dir, EmulatedPciExec.BDF,
            List.of("sh", "-c",
                "ls /sys/bus/pci/devices; cat " + function + "/vendor " + function + "/device "
                    + function + "/class; od -An -tx1 -j1 -N3 " + function + "/config;"
                    + " stat -c %s " + function + "/config"));
    assertEquals(0, files.exitCode(), files.output());
    assertEquals(
        List.of(EmulatedPciExec.BDF, "0x15b3", "0x101d", "0x020000", "15 1d 10", "4096"),
        files.stdout().lines().map(String::trim).toList());
  }

  /**
   * Another run's emulated function at the same address is another device: a lock on the host's
   * {@code /tmp/mstflint_lockfiles/<bdf>_config} (here held by util-linux {@code flock} for the
   * whole query, as a concurrent mstflint holds it around each config access) does not stop
   * mstflint in this run's namespace, which locks its own function's file (NamespacedCommand).
   * With the host's directory mstflint gives up after its 4096 tries with {@code failed to perform
   * lock operation} and the query fails.
   */
  @Test
  void aLockOnTheHostsLockFileDoesNotStopMstflint(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    String bdf = "0000:6b:00.0"; // an address no other test uses, so no other run takes the lock
    Path hostLock = Files.createDirectories(Path.of(NamespacedCommand.MSTFLINT_LOCK_DIRECTORY))
        .resolve(bdf + "_config");
    Process holder = new ProcessBuilder("flock", "-x", hostLock.toString(), "sh", "-c",
        "echo locked; exec cat").redirectErrorStream(true).start();
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
      assertEquals("locked", lines.readLine());
      Mstflint.Result query = EmulatedPciExec.run(dir, bdf,
          List.of(Mstflint.require().binary().toString(), "-d", bdf, "query"));
      assertEquals(0, query.exitCode(), query.output());
      assertFalse(query.output().contains("lock operation"), query.output());
      assertEquals(TestImages.PSID, query.field("PSID"), query.output());
    } finally {
      holder.getOutputStream().close();
      holder.waitFor();
      Files.deleteIfExists(hostLock);
    }
  }

  @Test
  void theCommandsExitCodeComesBack(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    assertEquals(7, EmulatedPciExec.run(dir, EmulatedPciExec.BDF, List.of("sh", "-c", "exit 7"))
        .exitCode());
    assertEquals(128 + 9,
        EmulatedPciExec.run(dir, EmulatedPciExec.BDF, List.of("sh", "-c", "kill -9 $$"))
            .exitCode());
    assertNothingMounted();
  }

  /**
   * Livefish at the config-space level: the gateway offers its spaces as the hardware does, the
   * PCI device id equals the HW id, so mstflint identifies the chip (no "Can't find device id"),
   * sees livefish, skips ICMD ({@code mtcr_ul_icmd_cif.c}, {@code is_livefish_device}) and goes
   * to direct flash access through the CR-space flash gateway, where it finds the flash erased
   * (the blank-flash livefish: no image to query; MstflintLivefishFlashTest queries and burns a
   * flash that holds one). The package's {@code mstconfig} says it in words ({@code mlxconfig/mlxcfg_commander.cpp}, {@code
   * Commander::create}: {@code dm_is_livefish_mode}), and {@code mstmcra} reads the HW id.
   */
  @Test
  void mstflintIdentifiesALivefishDeviceAndTakesTheFlashPath(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    LivefishTest.wipeFlash(dir);
    Mstflint.Result query = EmulatedPciExec.mstflint(dir, "query");
    assertEquals(1, query.exitCode(), query.output());
    assertFalse(query.output().contains("Can't find device id"), query.output());
    assertEquals(
        "-E- Failed to query Device: " + EmulatedPciExec.BDF
            + ". \nNo valid FS4 image found. Check the flash parameters, if specified.",
        query.output().strip());
    Mstflint.Result config = mstconfigQuery(dir);
    assertEquals("-E- Device in Livefish mode is not supported", config.output().strip());
    Mstflint.Result hwId =
        EmulatedPciExec.run(
            dir, EmulatedPciExec.BDF, List.of("mstmcra", EmulatedPciExec.BDF, "0xf0014"));
    assertEquals("0x00000212", hwId.stdout().strip(), hwId.output());
    assertNothingMounted();
  }

  @Test
  void aDeviceRunningFirmwareIsNotLivefish(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    Mstflint.Result config = mstconfigQuery(dir);
    assertFalse(config.output().contains("Livefish"), config.output());
  }

  private static Mstflint.Result mstconfigQuery(Path dir) {
    Path mstconfig = Mstflint.require().binary().resolveSibling("mstconfig");
    return EmulatedPciExec.run(
        dir, EmulatedPciExec.BDF, List.of(mstconfig.toString(), "-d", EmulatedPciExec.BDF, "query"));
  }

  /** A run whose JVM was killed leaves its empty private directory; the next run removes it. */
  @Test
  void leftoversOfAKilledRunAreSweptAndLiveOnesKept(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    Path stale = Files.createDirectories(tmp.resolve("kiln-pcifn-test-stale").resolve("devices"))
        .getParent();
    Files.writeString(stale.resolve("owner.pid"), Long.toString(gone.pid()));
    Path live = Files.createDirectories(tmp.resolve("kiln-pcifn-test-live"));
    Files.writeString(live.resolve("owner.pid"), Long.toString(ProcessHandle.current().pid()));
    try {
      assertEquals(0, EmulatedPciExec.run(dir, EmulatedPciExec.BDF, List.of("true")).exitCode());
      assertFalse(Files.exists(stale), "the dead run's directory is swept");
      assertTrue(Files.exists(live), "a running owner's directory is kept");
    } finally {
      Files.deleteIfExists(live.resolve("owner.pid"));
      Files.deleteIfExists(live);
    }
  }

  static void assertNothingMounted() throws Exception {
    String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
    assertFalse(mounts.contains("kiln-pcifn"), mounts);
  }
}
