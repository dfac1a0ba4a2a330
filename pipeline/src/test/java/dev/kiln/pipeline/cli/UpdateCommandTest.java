package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.burner.Sleeper;
import dev.kiln.burner.host.Sysfs;
import dev.kiln.emulator.pci.EmulatedConfigSpace;
import dev.kiln.emulator.DeviceIdentity;
import dev.kiln.emulator.DeviceServer;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.pipeline.bundle.SigningServiceSigner;
import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.pipeline.feed.FeedCodec;
import dev.kiln.pipeline.feed.FeedEntry;
import dev.kiln.pipeline.feed.ForbiddenVersionsFeed;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Recording;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.TransportException;
import dev.kiln.testkit.FakeSysfs;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln update}: up to date is success, a newer image is burned, everything else is
 * reported per device with the worst exit code; --dry-run takes no update handle; with no device
 * named, the host's adapters (a fake sysfs whose functions are emulated config spaces).
 */
class UpdateCommandTest {
  static final String OLD = "22.39.1002";
  static final String NEW = "22.41.1000";
  static final String OTHER_PSID = "MT_0000000999";

  @TempDir static Path dir;
  static Fixtures fixtures;
  static Path bundle;
  static Path newImage;
  static int deviceCount;

  @BeforeAll
  static void setUp() throws Exception {
    fixtures = new Fixtures(dir);
    Path older = fixtures.signed(SampleFirmware.Spec.secure("22.39.2000"), "fw-a");
    newImage = fixtures.signed(SampleFirmware.Spec.secure(NEW), "fw-b");
    bundle = dir.resolve("release.kbundle");
    Fixtures.Result created =
        Fixtures.kiln("bundle", "create", "--out", bundle.toString(), "--key",
            "file:" + fixtures.privateKey, "--allow-sample-keys", older.toString(),
            newImage.toString());
    assertEquals(0, created.exitCode(), created.err());
  }

  @AfterAll
  static void tearDown() {
    fixtures.close();
  }

  @BeforeEach
  void fastPolls() {
    DeviceOptions.sleeper = millis -> {};
  }

  @AfterEach
  void restore() {
    DeviceOptions.sleeper = Sleeper.REAL;
    DeviceOptions.configSpacesForTests = null;
    System.clearProperty(Sysfs.ROOT_PROPERTY);
  }

  /** An emulated device directory of {@code psid} running a signed image of {@code version}. */
  static Path device(String version, String psid) throws Exception {
    String name = "dev" + (++deviceCount);
    Path image = fixtures.signed(SampleFirmware.Spec.secure(version).withPsid(psid), name + "-fw");
    Path deviceDir = dir.resolve(name);
    EmulatedDevice.create(
        deviceDir,
        new DeviceIdentity(SampleFirmware.DEVICE, psid, 0x0002c9000000L, 4L << 20, 0),
        Files.readAllBytes(image));
    return deviceDir;
  }

  static Fixtures.Result update(String... more) {
    String[] args = new String[4 + more.length];
    args[0] = "update";
    args[1] = "--bundle";
    args[2] = bundle.toString();
    args[3] = "--trust=" + fixtures.publicKey;
    System.arraycopy(more, 0, args, 4, more.length);
    return Fixtures.kiln(args);
  }

  static JsonNode json(Fixtures.Result result) throws Exception {
    return new ObjectMapper().readTree(result.out());
  }

  static String running(String device) throws Exception {
    Fixtures.Result query = Fixtures.kiln("query", "--device", device, "--json", "--no-read-back");
    assertEquals(0, query.exitCode(), query.err());
    return new ObjectMapper().readTree(query.out()).get("runningVersion").asText();
  }

  @Test
  void theRunningVersionIsUpToDateAndSucceeds() throws Exception {
    String device = "emu:" + device(NEW, SampleFirmware.PSID);
    Fixtures.Result result = update("--device", device, "--yes");
    assertEquals(0, result.exitCode(), result.out() + result.err());
    assertEquals(device + ": up to date (FW " + NEW + ")\n", result.out());
    assertEquals("", result.err());
    // The same through kiln burn is still SAME_VERSION: burn is asked to write, update to converge.
    Fixtures.Result burn = Fixtures.kiln("burn", "--device", device, newImage.toString(), "--yes");
    assertEquals(ExitCodes.CHECK_FAILED, burn.exitCode(), burn.err());
  }

  @Test
  void aNewerImageIsBurnedAndTheNextUpdateIsUpToDate() throws Exception {
    String device = "emu:" + device(OLD, SampleFirmware.PSID);
    Fixtures.Result result = update("--device", device, "--yes", "--json");
    assertEquals(0, result.exitCode(), result.out() + result.err());
    JsonNode outcome = json(result).get("devices").get(0);
    assertEquals("burned", outcome.get("action").asText());
    assertEquals(device, outcome.get("device").asText());
    assertEquals(SampleFirmware.PSID, outcome.get("psid").asText());
    assertEquals(OLD, outcome.get("runningVersionBefore").asText());
    assertTrue(outcome.get("pendingVersionBefore").isNull());
    assertEquals("images/fw-b.bin", outcome.get("image").asText());
    assertEquals(NEW, outcome.get("imageVersion").asText());
    assertEquals(NEW, outcome.get("pendingVersionAfter").asText());
    assertEquals(0, outcome.get("exitCode").asInt());
    assertTrue(result.err().contains("Writing:"), "progress on stderr: " + result.err());
    // emu: powers the device on per command, so the activated image runs at the next one.
    assertEquals(NEW, running(device));
    Fixtures.Result again = update("--device", device, "--yes", "--json");
    assertEquals(0, again.exitCode(), again.err());
    assertEquals("up-to-date", json(again).get("devices").get(0).get("action").asText());
  }

  @Test
  void everyConsideredBurnLeavesOneLogRecord() throws Exception {
    String older = "emu:" + device(OLD, SampleFirmware.PSID);
    String newer = "emu:" + device("22.42.1000", SampleFirmware.PSID);
    String current = "emu:" + device(NEW, SampleFirmware.PSID);
    Path log = dir.resolve("update.log");
    Fixtures.Result result =
        update("--device", older, "--device", newer, "--device", current, "--yes", "--log",
            log.toString());
    assertEquals(ExitCodes.CHECK_FAILED, result.exitCode(), result.out() + result.err());
    dev.kiln.pipeline.burnlog.BurnLog.Verification verification =
        new dev.kiln.pipeline.burnlog.BurnLog(log).verify();
    assertTrue(verification.intact(), verification.message());
    // The burn and the refused downgrade; the up-to-date device was not a burn attempt.
    assertEquals(2, verification.records().size(), verification.records().toString());
    var burned = verification.records().get(0);
    assertEquals(older, burned.device());
    assertEquals("ok", burned.result());
    assertEquals(OLD, burned.beforeVersion());
    assertEquals(NEW, burned.afterVersion());
    assertEquals(128, burned.bundleSha512().length());
    var refused = verification.records().get(1);
    assertEquals(newer, refused.device());
    assertEquals("refused", refused.result());
    assertTrue(refused.detail().startsWith("DOWNGRADE: "), refused.detail());
    assertEquals(ExitCodes.USAGE, update("--device", older, "--yes", "--log-key", "k").exitCode());
  }

  @Test
  void aDryRunChecksEverythingAndTakesNoUpdateHandle() throws Exception {
    Path deviceDir = device(OLD, SampleFirmware.PSID);
    Path recording = dir.resolve("dry-run.rec");
    try (EmulatedDevice emulated =
            EmulatedDevice.open(
                deviceDir, EmulatedDevice.Options.defaults().withRecording(recording));
        DeviceServer server = DeviceServer.start(emulated, InetAddress.getLoopbackAddress(), 0)) {
      String device = "tcp://127.0.0.1:" + server.port() + "?token-file=" + server.tokenFile();
      // No --yes: a dry run asks nothing.
      Fixtures.Result result = update("--device", device, "--dry-run", "--json");
      assertEquals(0, result.exitCode(), result.out() + result.err());
      JsonNode outcome = json(result).get("devices").get(0);
      assertEquals("would-burn", outcome.get("action").asText());
      assertTrue(json(result).get("dryRun").asBoolean());
      // Without the read-back the key and forbidden-list checks warn.
      assertTrue(outcome.get("findings").toString().contains("TRUSTED_KEYS_UNKNOWN"),
          outcome.toString());
    }
    int sets = 0;
    for (Recording.Transaction transaction : Recording.read(recording)) {
      RegisterEnvelope request = transaction.requestEnvelope();
      assertTrue(request.registerId() != AccessRegister.MCDA.id(), "MCDA sent");
      if (request.registerId() == AccessRegister.MCC.id() && request.method() == RegisterMethod.SET) {
        sets++;
      }
    }
    assertEquals(0, sets, "a dry run sends no MCC SET (no handle is locked)");
    assertEquals(OLD, running("emu:" + deviceDir));
  }

  @Test
  void aVersionTheDeviceForbidsIsRefusedByTheDeviceOrWithReadBackBeforeWriting()
      throws Exception {
    // Fixtures.device runs an image whose FORBIDDEN_VERSIONS names DEVICE_FORBIDDEN.
    Path forbidden =
        fixtures.signed(SampleFirmware.Spec.secure(Fixtures.DEVICE_FORBIDDEN), "fw-forbidden");
    Path forbiddenBundle = dir.resolve("forbidden.kbundle");
    Fixtures.Result created =
        Fixtures.kiln("bundle", "create", "--out", forbiddenBundle.toString(), "--key",
            "file:" + fixtures.privateKey, "--allow-sample-keys", forbidden.toString());
    assertEquals(0, created.exitCode(), created.err());
    String device = fixtures.device("update-forbidden");
    String trust = "--trust=" + fixtures.publicKey;
    // As kiln burn: without --read-back the host cannot know; the device refuses at VERIFY.
    Fixtures.Result byDevice =
        Fixtures.kiln("update", "--bundle", forbiddenBundle.toString(), trust, "--device", device,
            "--yes", "--json");
    assertEquals(ExitCodes.CHECK_FAILED, byDevice.exitCode(), byDevice.out() + byDevice.err());
    JsonNode outcome = json(byDevice).get("devices").get(0);
    assertEquals("refused", outcome.get("action").asText());
    assertTrue(outcome.get("findings").toString().contains("DEVICE_REJECTED"), outcome.toString());
    // With --read-back the pre-check refuses it before anything is written.
    Fixtures.Result byHost =
        Fixtures.kiln("update", "--bundle", forbiddenBundle.toString(), trust, "--device", device,
            "--yes", "--read-back");
    assertEquals(ExitCodes.CHECK_FAILED, byHost.exitCode(), byHost.out() + byHost.err());
    assertTrue(byHost.out().startsWith(device + ": refused before writing anything"
        + " [FORBIDDEN_VERSION]"), byHost.out());
    assertEquals(Fixtures.RUNNING, running(device));
    // A dry run takes no handle, so it cannot read back.
    assertEquals(ExitCodes.USAGE,
        Fixtures.kiln("update", "--bundle", forbiddenBundle.toString(), trust, "--device", device,
            "--dry-run", "--read-back").exitCode());
  }

  @Test
  void devicesAreReportedEachWithTheWorstExitCode() throws Exception {
    String upToDate = "emu:" + device(NEW, SampleFirmware.PSID);
    String older = "emu:" + device(OLD, SampleFirmware.PSID);
    String other = "emu:" + device(OLD, OTHER_PSID);
    String unreachable = "tcp://127.0.0.1:1";
    Fixtures.Result result =
        update("--device", upToDate, "--device", older, "--device", other, "--device",
            unreachable, "--yes", "--json");
    assertEquals(ExitCodes.DEVICE, result.exitCode(), result.out() + result.err());
    JsonNode devices = json(result).get("devices");
    assertEquals(4, devices.size());
    assertEquals("up-to-date", devices.get(0).get("action").asText());
    assertEquals("burned", devices.get(1).get("action").asText());
    assertEquals("refused", devices.get(2).get("action").asText());
    assertEquals("BUNDLE_NO_IMAGE", devices.get(2).get("findings").get(0).get("code").asText());
    assertEquals(1, devices.get(2).get("exitCode").asInt());
    assertEquals("failed", devices.get(3).get("action").asText());
    assertEquals("DEVICE_FAILED", devices.get(3).get("findings").get(0).get("code").asText());
    assertEquals(5, json(result).get("exitCode").asInt());
    // Besides the burn's progress, one stderr line naming the devices not updated and their
    // codes only.
    assertEquals(
        List.of(
            "kiln: 2 of 4 devices not updated: " + other + ": refused [BUNDLE_NO_IMAGE]; "
                + unreachable + ": failed [DEVICE_FAILED]"),
        result.err().lines().filter(line -> line.startsWith("kiln:")).toList());
  }

  @Test
  void aDowngradeIsRefusedOnceAndNothingIsWritten() throws Exception {
    String device = "emu:" + device("22.42.1000", SampleFirmware.PSID);
    Fixtures.Result result = update("--device", device, "--yes");
    assertEquals(ExitCodes.CHECK_FAILED, result.exitCode(), result.out() + result.err());
    String[] lines = result.out().split("\n");
    assertEquals(device + ": refused before writing anything [DOWNGRADE]", lines[0]);
    String error =
        java.util.Arrays.stream(lines).filter(line -> line.startsWith("  error: ")).findFirst()
            .orElseThrow();
    assertTrue(error.endsWith("[DOWNGRADE]"), error);
    String message = error.substring("  error: ".length(), error.length() - 12);
    assertFalse(result.err().contains(message), "the finding is printed once: " + result.err());
    assertEquals("kiln: 1 of 1 device not updated: " + device + ": refused [DOWNGRADE]",
        result.err().strip());
    assertEquals("22.42.1000", running(device));
  }

  @Test
  void withNoDeviceNamedEveryServedAdapterOfTheHostIsUpdated(@TempDir Path sys)
      throws Exception {
    Path served = device(OLD, SampleFirmware.PSID);
    Path notServed = device(OLD, OTHER_PSID);
    new FakeSysfs(sys)
        .function("0000:03:00.0", 0x15b3, 0x101d)
        .function("0000:04:00.0", 0x15b3, 0x101d)
        .function("0000:00:1f.0", 0x8086, 0xa1c8)
        .rdma("0000:03:00.0", "mlx5_0");
    System.setProperty(Sysfs.ROOT_PROPERTY, sys.toString());
    Map<String, Path> functions = Map.of("0000:03:00.0", served, "0000:04:00.0", notServed);
    DeviceOptions.configSpacesForTests =
        bdf -> {
          Path device = functions.get(bdf);
          if (device == null) {
            throw new TransportException("pci:" + bdf + ": no such device in this test");
          }
          return EmulatedConfigSpace.builder(EmulatorDevices.open(device)).build();
        };
    Fixtures.Result dryRun = update("--dry-run");
    assertEquals(0, dryRun.exitCode(), dryRun.out() + dryRun.err());
    assertTrue(dryRun.out().startsWith("pci:0000:03:00.0: would burn FW " + NEW + " over " + OLD),
        dryRun.out());
    assertTrue(dryRun.out().contains("pci:0000:04:00.0: skipped\n"), dryRun.out());
    Fixtures.Result result = update("--yes", "--json");
    assertEquals(0, result.exitCode(), result.out() + result.err());
    JsonNode devices = json(result).get("devices");
    assertEquals(2, devices.size(), result.out());
    assertEquals("burned", devices.get(0).get("action").asText());
    assertEquals("skipped", devices.get(1).get("action").asText());
    assertEquals(NEW, running("emu:" + served));
    assertEquals(OLD, running("emu:" + notServed));
    // The operator's other spellings of the same adapter.
    for (String name : new String[] {"mlx5_0", "03:00.0", "/dev/mst/mt4125_pciconf0"}) {
      Fixtures.Result named = update("--device", name, "--yes");
      assertEquals(0, named.exitCode(), name + ": " + named.out() + named.err());
      assertEquals("pci:0000:03:00.0: up to date (FW " + NEW + ")\n", named.out());
    }
  }

  @Test
  void anUnresolvableNameIsOneUsageLineSuggestingThePciForm(@TempDir Path sys) {
    new FakeSysfs(sys).function("0000:03:00.0", 0x15b3, 0x101d);
    System.setProperty(Sysfs.ROOT_PROPERTY, sys.toString());
    String[][] commands = {
      {"update", "--bundle", bundle.toString(), "--trust", fixtures.publicKey.toString(),
          "--device", "mlx5_9", "--yes"},
      {"burn", "--device", "/dev/mst/mt4125_pciconf1", "image.bin", "--yes"},
      {"query", "--device", "mlx5_0"},
      {"devices", "--device", "eth0"},
      {"check", newImage.toString(), "--device", "/dev/mst/mt4119_pciconf0"},
    };
    for (String[] command : commands) {
      Fixtures.Result result = Fixtures.kiln(command);
      String name = String.join(" ", command);
      assertEquals(ExitCodes.USAGE, result.exitCode(), name + ": " + result.err());
      assertEquals(1, result.err().lines().count(), name + ": " + result.err());
      assertTrue(result.err().startsWith("kiln: --device "), name + ": " + result.err());
      assertTrue(result.err().contains("pci:DDDD:BB:DD.F"), name + ": " + result.err());
    }
  }

  @Test
  void aLivefishAdapterIsListedAndReportedNotBurned(@TempDir Path sys) throws Exception {
    Path deviceDir = device(OLD, SampleFirmware.PSID);
    new FakeSysfs(sys).function("0000:03:00.0", 0x15b3, 0x212);
    System.setProperty(Sysfs.ROOT_PROPERTY, sys.toString());
    // Livefish: the PCI device id equals the HW id, and ICMD is refused.
    DeviceOptions.configSpacesForTests =
        bdf -> EmulatedConfigSpace.builder(EmulatorDevices.open(deviceDir))
            .deviceIds(0x212, 0x212).build();
    Fixtures.Result devices = Fixtures.kiln("devices");
    assertEquals(0, devices.exitCode(), devices.err());
    assertTrue(devices.out().contains("  does not answer: in flash-not-present (livefish)"),
        devices.out());
    Fixtures.Result result = update("--yes", "--json");
    assertEquals(ExitCodes.DEVICE, result.exitCode(), result.out() + result.err());
    JsonNode outcome = json(result).get("devices").get(0);
    assertEquals("failed", outcome.get("action").asText());
    assertEquals("DEVICE_LIVEFISH", outcome.get("findings").get(0).get("code").asText());
    assertTrue(outcome.get("findings").get(0).get("message").asText().contains("--psid"),
        outcome.toString());
  }

  /** A feed of {@code sequence} forbidding {@code versions} for the sample PSID, signed. */
  static Path feed(long sequence, List<String> versions) throws Exception {
    Instant issued =
        Instant.now().minus(1, ChronoUnit.DAYS)
            .truncatedTo(ChronoUnit.SECONDS);
    List<FeedEntry> entries =
        versions.isEmpty()
            ? List.of()
            : List.of(
                new FeedEntry(SampleFirmware.PSID, null,
                    versions.stream().map(FwVersion::parse).toList(),
                    "CVE-2026-4243"));
    Path file = dir.resolve("update-feed-" + sequence + ".json");
    Files.write(
        file,
        FeedCodec.sign(
            FeedCodec.toJson(
                new ForbiddenVersionsFeed(
                    issued, issued.plus(30, ChronoUnit.DAYS), sequence,
                    entries)),
            new SigningServiceSigner(fixtures.key)));
    return file;
  }

  @Test
  void theForbiddenFeedRefusesAndItsRollbackIsRefused() throws Exception {
    String device = "emu:" + device(OLD, SampleFirmware.PSID);
    String state = dir.resolve("update-feed-state.json").toString();
    Path newer = feed(2, List.of(NEW));
    Path older = feed(1, List.of());
    Fixtures.Result forbidden =
        update("--device", device, "--yes", "--json", "--forbidden", newer.toString(),
            "--feed-trust", fixtures.publicKey.toString(), "--feed-state", state);
    assertEquals(ExitCodes.CHECK_FAILED, forbidden.exitCode(), forbidden.out() + forbidden.err());
    JsonNode outcome = json(forbidden).get("devices").get(0);
    assertEquals("refused", outcome.get("action").asText());
    assertTrue(outcome.get("findings").toString().contains("FORBIDDEN_VERSION"),
        outcome.toString());
    assertTrue(outcome.get("findings").toString().contains("CVE-2026-4243"), outcome.toString());
    // The older, still valid feed (sequence 1, forbidding nothing) is a rollback: refused too.
    Fixtures.Result rollback =
        update("--device", device, "--yes", "--json", "--forbidden", older.toString(),
            "--feed-trust", fixtures.publicKey.toString(), "--feed-state", state);
    assertEquals(ExitCodes.CHECK_FAILED, rollback.exitCode(), rollback.out() + rollback.err());
    assertTrue(json(rollback).get("devices").get(0).get("findings").toString()
        .contains("FEED_ROLLBACK"), rollback.out());
    assertEquals(OLD, running(device));
  }

  @Test
  void aHostWithoutAdaptersAndNoDeviceIsADeviceError(@TempDir Path sys) {
    System.setProperty(Sysfs.ROOT_PROPERTY, sys.toString());
    Fixtures.Result result = update("--yes");
    assertEquals(ExitCodes.DEVICE, result.exitCode(), result.out() + result.err());
    assertTrue(result.err().startsWith("kiln: no adapter to update"), result.err());
  }

  @Test
  void anUnverifiedBundleTouchesNoDevice() throws Exception {
    String device = "emu:" + device(OLD, SampleFirmware.PSID);
    Path otherKey = SampleKeys.writePublicKey(SampleKey.RSA_4096, Files.createTempDirectory(dir, "k"));
    Fixtures.Result result =
        Fixtures.kiln("update", "--bundle", bundle.toString(), "--trust", otherKey.toString(),
            "--device", device, "--yes");
    assertEquals(ExitCodes.CHECK_FAILED, result.exitCode(), result.err());
    assertEquals(1, result.err().strip().lines().count(), result.err());
    assertTrue(result.err().contains("does not verify"), result.err());
    assertEquals(OLD, running(device));
  }

  @Test
  void withoutYesOrDryRunAndWithoutTerminalItIsAUsageError() throws Exception {
    String device = "emu:" + device(OLD, SampleFirmware.PSID);
    Fixtures.Result result = update("--device", device);
    assertEquals(ExitCodes.USAGE, result.exitCode());
    assertTrue(result.err().contains("--dry-run"), result.err());
    assertEquals(OLD, running(device));
  }
}
