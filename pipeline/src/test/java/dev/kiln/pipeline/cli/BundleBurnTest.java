package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.pipeline.burnlog.BurnLog;
import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln burn --bundle --trust --log} against the emulator. */
class BundleBurnTest {
  @TempDir static Path dir;
  static Fixtures fixtures;
  static Path bundle;

  @BeforeAll
  static void setUp() throws Exception {
    fixtures = new Fixtures(dir);
    Path older = fixtures.signed(SampleFirmware.Spec.secure("22.39.2000"), "fw-a");
    Path newer = fixtures.signed(SampleFirmware.Spec.secure("22.41.1000"), "fw-b");
    bundle = dir.resolve("release.kbundle");
    Fixtures.Result created =
        Fixtures.kiln("bundle", "create", "--out", bundle.toString(), "--key",
            "file:" + fixtures.privateKey, "--allow-sample-keys", older.toString(),
            newer.toString());
    assertEquals(0, created.exitCode(), created.err());
  }

  @AfterAll
  static void tearDown() {
    fixtures.close();
  }

  @Test
  void burnsTheHighestVersionFromAVerifiedBundleAndLogsIt() throws Exception {
    String device = fixtures.device("burn-ok");
    Path log = dir.resolve("ok.log");
    Fixtures.Result burn =
        Fixtures.kiln("burn", "--device", device, "--bundle", bundle.toString(), "--trust",
            fixtures.publicKey.toString(), "--yes", "--log", log.toString());
    assertEquals(0, burn.exitCode(), burn.out() + burn.err());
    assertTrue(burn.out().contains("selected images/fw-b.bin (FW 22.41.1000)"), burn.out());
    assertEquals(0, Fixtures.kiln("device", "reset", "--device", device).exitCode());
    Fixtures.Result query = Fixtures.kiln("query", "--device", device);
    assertTrue(query.out().contains("22.41.1000"), query.out());
    BurnLog.Verification verification = new BurnLog(log).verify();
    assertTrue(verification.intact(), verification.message());
    assertEquals("ok", verification.records().get(0).result());
    assertEquals("22.39.1002", verification.records().get(0).beforeVersion());
    assertEquals("22.41.1000", verification.records().get(0).afterVersion());
    assertEquals(128, verification.records().get(0).bundleSha512().length());
  }

  @Test
  void refusesAnUnverifiedBundleAndLogsTheRefusal() throws Exception {
    String device = fixtures.device("burn-refused");
    Path log = dir.resolve("refused.log");
    Path otherKey = SampleKeys.writePublicKey(SampleKey.RSA_4096, dir);
    Fixtures.Result burn =
        Fixtures.kiln("burn", "--device", device, "--bundle", bundle.toString(), "--trust",
            otherKey.toString(), "--yes", "--log", log.toString());
    assertEquals(1, burn.exitCode(), burn.out() + burn.err());
    assertTrue(burn.err().contains("does not verify"), burn.err());
    Fixtures.Result query = Fixtures.kiln("query", "--device", device);
    assertTrue(query.out().contains("22.39.1002"), query.out());
    assertEquals("refused", new BurnLog(log).verify().records().get(0).result());
  }

  @Test
  void plainImageBurnsAreLoggedToo() throws Exception {
    String device = fixtures.device("burn-plain");
    Path log = dir.resolve("plain.log");
    Path image = fixtures.signed(SampleFirmware.Spec.secure("22.40.3000"), "fw-plain");
    Fixtures.Result burn =
        Fixtures.kiln("burn", "--device", device, image.toString(), "--yes", "--log",
            log.toString());
    assertEquals(0, burn.exitCode(), burn.out() + burn.err());
    BurnLog.Verification verification = new BurnLog(log).verify();
    assertTrue(verification.intact(), verification.message());
    assertEquals(null, verification.records().get(0).bundleSha512());
    assertEquals("22.40.3000", verification.records().get(0).afterVersion());
  }

  @Test
  void bundleWithoutTrustIsAUsageError() throws Exception {
    String device = fixtures.device("burn-usage");
    Fixtures.Result burn =
        Fixtures.kiln("burn", "--device", device, "--bundle", bundle.toString(), "--yes");
    assertEquals(2, burn.exitCode(), burn.err());
  }
}
