package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.pipeline.burnlog.BurnLog;
import dev.kiln.pipeline.burnlog.BurnRecord;
import dev.kiln.pipeline.burnlog.LogKey;
import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The burn log tells the truth about every attempt: a torn last line does not cost the record or
 * change the burn's exit code; refusals and failures before anything was burnt (an unreadable
 * bundle, a device busy at the first query) leave a record; records name the host, the device's
 * serial (base MAC) and PSID; a keyed log verifies only with its key.
 */
class BurnLogRecordsTest {
  @TempDir static Path dir;
  static Fixtures fixtures;
  static Path image;

  @BeforeAll
  static void setUp() throws Exception {
    fixtures = new Fixtures(dir);
    image = fixtures.signed(SampleFirmware.Spec.secure("22.41.1000"), "fw-new");
  }

  @AfterAll
  static void tearDown() {
    fixtures.close();
  }

  private static Fixtures.Result burn(String device, Path log, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("burn", "--device", device, image.toString(), "--yes", "--log",
                log.toString()));
    args.addAll(Arrays.asList(extra));
    return Fixtures.kiln(args.toArray(String[]::new));
  }

  @Test
  void aTornLastLineCostsNeitherTheRecordNorTheExitCode() throws Exception {
    Path log = dir.resolve("torn.log");
    assertEquals(0, burn(fixtures.device("torn-1"), log).exitCode());
    byte[] whole = Files.readAllBytes(log);
    Files.write(log, Arrays.copyOf(whole, whole.length / 2)); // a crash mid-append
    Fixtures.Result second = burn(fixtures.device("torn-2"), log);
    assertEquals(0, second.exitCode(), second.err());
    // Nothing but the progress (which goes to stderr): no warning, no recovery message.
    assertEquals(
        List.of(),
        second.err().lines()
            .filter(line -> !line.endsWith(" ...") && !line.startsWith("Writing:"))
            .toList(),
        second.err());
    BurnLog.Verification verification = new BurnLog(log).verify();
    assertTrue(verification.intact(), verification.message());
    assertEquals(1, verification.records().size(), "the torn record is gone, the new one is in");
    assertEquals("ok", verification.records().get(0).result());
    assertTrue(Files.readString(log).contains("\"kind\":\"recovery\""));
  }

  @Test
  void recordsNameTheHostTheSerialAndThePsid() throws Exception {
    Path log = dir.resolve("fields.log");
    assertEquals(0, burn(fixtures.device("fields"), log).exitCode());
    BurnRecord record = new BurnLog(log).verify().records().get(0);
    assertEquals(BurnAttempt.hostName(), record.host());
    assertFalse(record.host().isBlank());
    assertTrue(record.deviceSerial().matches("[0-9a-f]{12}"), record.deviceSerial());
    assertTrue(record.psid().startsWith("MT_"), record.psid());
    assertEquals(128, record.imageSha512().length());
    assertEquals("22.41.1000", record.afterVersion());
  }

  @Test
  void anUnreadableBundleAndABusyDeviceLeaveARecord() throws Exception {
    Path log = dir.resolve("failures.log");
    Fixtures.Result bundle =
        Fixtures.kiln("burn", "--device", fixtures.device("bad-bundle"), "--bundle",
            dir.resolve("missing.kbundle").toString(), "--trust", fixtures.publicKey.toString(),
            "--yes", "--log", log.toString());
    assertEquals(3, bundle.exitCode(), bundle.err());
    String device = fixtures.device("busy");
    Path deviceDir = Path.of(device.substring("emu:".length()));
    try (FileChannel channel =
            FileChannel.open(
                deviceDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held = channel.lock()) {
      Fixtures.Result busy = burn(device, log);
      assertEquals(5, busy.exitCode(), busy.err());
      assertTrue(held.isValid());
    }
    BurnLog.Verification verification = new BurnLog(log).verify();
    assertTrue(verification.intact(), verification.message());
    assertEquals(2, verification.records().size());
    assertEquals("failed", verification.records().get(0).result());
    assertTrue(verification.records().get(0).detail().contains("missing.kbundle"),
        verification.records().get(0).detail());
    assertEquals("failed", verification.records().get(1).result());
    assertEquals("unknown", verification.records().get(1).psid());
  }

  @Test
  void anUnwritableLogIsAWarningNotAnotherExitCode() throws Exception {
    Path log = dir.resolve("a-directory.log");
    Files.createDirectories(log);
    Fixtures.Result burn = burn(fixtures.device("unwritable"), log);
    assertEquals(0, burn.exitCode(), burn.err());
    assertTrue(burn.err().contains("warning: the burn log"), burn.err());
  }

  @Test
  void aKeyedLogVerifiesWithItsKeyOnly() throws Exception {
    Path key = dir.resolve("burn-log.key");
    Files.writeString(key, "00112233445566778899aabbccddeeff00112233\n", StandardCharsets.US_ASCII);
    Path log = dir.resolve("keyed.log");
    Fixtures.Result burned = burn(fixtures.device("keyed"), log, "--log-key", key.toString());
    assertEquals(0, burned.exitCode(), burned.err());
    Fixtures.Result verified =
        Fixtures.kiln("log", "verify", log.toString(), "--log-key", key.toString());
    assertEquals(0, verified.exitCode(), verified.err());
    assertTrue(
        verified.out().contains("checked: keyed HMAC-SHA256 chain (key id "
            + LogKey.read(key).id()),
        verified.out());
    Fixtures.Result unkeyed = Fixtures.kiln("log", "verify", log.toString());
    assertEquals(1, unkeyed.exitCode());
    assertTrue(unkeyed.err().contains("verify it with --log-key"), unkeyed.err());
    assertFalse(Files.readString(log).contains("00112233445566778899"), "the key is not logged");
  }

  /** The log keyed with a PKCS#11 secret-key object (SoftHSM2): HMAC on the token. */
  @Test
  void aPkcs11SecretKeyKeysTheLog() throws Exception {
    dev.kiln.testkit.SoftHsmToken token = dev.kiln.testkit.SoftHsmToken.create("kiln-burn-log");
    token.pkcs11Tool("--keygen", "--key-type", "GENERIC:32", "--label", "burn-log-key");
    String key = token.uri("object=burn-log-key");
    Path log = dir.resolve("pkcs11.log");
    Fixtures.Result burned = burn(fixtures.device("pkcs11-keyed"), log, "--log-key", key);
    assertEquals(0, burned.exitCode(), burned.err());
    Fixtures.Result verified = Fixtures.kiln("log", "verify", log.toString(), "--log-key", key);
    assertEquals(0, verified.exitCode(), verified.err());
    assertTrue(verified.out().contains("checked: keyed HMAC-SHA256 chain"), verified.out());
    Path otherKey = dir.resolve("other.key");
    Files.writeString(otherKey, "ffeeddccbbaa99887766554433221100\n", StandardCharsets.US_ASCII);
    Fixtures.Result wrong =
        Fixtures.kiln("log", "verify", log.toString(), "--log-key", otherKey.toString());
    assertEquals(1, wrong.exitCode(), wrong.out());
    assertTrue(wrong.err().contains("written with another key"), wrong.err());
    Fixtures.Result missing =
        Fixtures.kiln("log", "verify", log.toString(), "--log-key",
            token.uri("object=no-such-key"));
    assertEquals(4, missing.exitCode(), missing.err());
    assertTrue(missing.err().contains("no such secret key"), missing.err());
  }
}
