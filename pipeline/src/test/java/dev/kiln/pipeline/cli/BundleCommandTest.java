package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.pipeline.bundle.BundleReader;
import dev.kiln.pipeline.bundle.BundleVerification;
import dev.kiln.pipeline.bundle.ManifestImage;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import dev.kiln.testkit.SoftHsmToken;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln bundle create|verify|inspect} on real images and a real device profile. */
class BundleCommandTest {
  @TempDir static Path dir;
  static Fixtures fixtures;
  static Path profile;
  static Path bundle;
  static Path older;
  static Path newer;

  @BeforeAll
  static void setUp() throws Exception {
    fixtures = new Fixtures(dir);
    profile = fixtures.profile(fixtures.device("dev"), "lab-cx6dx");
    older = fixtures.signed(SampleFirmware.Spec.secure("22.39.2000"), "fw-22.39.2000");
    newer = fixtures.signed(SampleFirmware.Spec.secure("22.41.1000"), "fw-22.41.1000");
    bundle = dir.resolve("release.kbundle");
    Fixtures.Result result = create(bundle);
    assertEquals(0, result.exitCode(), result.out() + result.err());
  }

  static Fixtures.Result create(Path out) {
    return Fixtures.kiln(
        "bundle", "create", "--out", out.toString(), "--key", "file:" + fixtures.privateKey,
        "--allow-sample-keys", "--target", profile.toString(), "--created",
        "2026-11-25T07:00:00Z", older.toString(), newer.toString());
  }

  @AfterAll
  static void tearDown() {
    fixtures.close();
  }

  @Test
  void manifestDescribesImagesAndTargets() throws Exception {
    BundleVerification verification =
        BundleReader.verify(bundle, TrustedKeys.load(List.of(fixtures.publicKey)));
    assertTrue(verification.verified(), verification.findings().toString());
    ManifestImage chosen = verification.select("MT_0000000528", 0x212).orElseThrow();
    assertEquals("images/fw-22.41.1000.bin", chosen.path());
    assertEquals(List.of(0x212), chosen.hwDeviceIds());
    assertEquals(1, chosen.securityVersion());
    assertEquals(List.of("6f065e04-bb0b-4334-9d90-f62cea2b3382"), chosen.signingKeyUuids());
    ManifestImage.TargetResult result = chosen.prevalidation().get(0);
    assertEquals("lab-cx6dx", result.target());
    assertTrue(result.accepted(), result.findings().toString());
    assertArrayEquals(Files.readAllBytes(newer), verification.imageBytes(chosen));
  }

  @Test
  void createIsDeterministic() throws Exception {
    Path again = dir.resolve("again.kbundle");
    assertEquals(0, create(again).exitCode());
    assertArrayEquals(Files.readAllBytes(bundle), Files.readAllBytes(again));
  }

  @Test
  void verifyAcceptsTheTrustedKeyOnly() throws Exception {
    Fixtures.Result ok =
        Fixtures.kiln("bundle", "verify", bundle.toString(), "--trust",
            fixtures.publicKey.toString());
    assertEquals(0, ok.exitCode(), ok.out() + ok.err());
    Path other = SampleKeys.writePublicKey(SampleKey.RSA_4096, dir);
    Fixtures.Result unknown =
        Fixtures.kiln("bundle", "verify", bundle.toString(), "--trust", other.toString());
    assertEquals(1, unknown.exitCode());
    assertTrue(unknown.out().contains("BUNDLE_UNKNOWN_KEY"), unknown.out());
  }

  @Test
  void changedImageByteFailsVerification() throws Exception {
    byte[] bytes = Files.readAllBytes(bundle);
    // The last entry's data sits just before the central directory; flip a byte well inside the
    // stored (uncompressed) image data near the end of the file.
    int position = bytes.length - 64 * 1024;
    bytes[position] ^= 0x5A;
    Path tampered = dir.resolve("tampered.kbundle");
    Files.write(tampered, bytes);
    Fixtures.Result result =
        Fixtures.kiln("bundle", "verify", tampered.toString(), "--trust",
            fixtures.publicKey.toString());
    assertFalse(result.exitCode() == 0, result.out());
    assertTrue(
        result.out().contains("BUNDLE_IMAGE_DIGEST_MISMATCH") || result.exitCode() == 3,
        result.out() + result.err());
  }

  @Test
  void inspectListsTheImages() {
    Fixtures.Result result =
        Fixtures.kiln("bundle", "inspect", bundle.toString(), "--trust",
            fixtures.publicKey.toString());
    assertEquals(0, result.exitCode(), result.err());
    assertTrue(result.out().contains("images/fw-22.39.2000.bin"), result.out());
    assertTrue(result.out().contains("Target lab-cx6dx: accepts"), result.out());
    assertTrue(result.out().contains("Verified:        yes"), result.out());
  }

  @Test
  void manifestCanBeSignedOnAPkcs11Token() throws Exception {
    SoftHsmToken token = SoftHsmToken.create("kiln-bundle-test", SampleKey.RSA_2048);
    Path out = dir.resolve("hsm.kbundle");
    Fixtures.Result result =
        Fixtures.kiln("bundle", "create", "--out", out.toString(), "--key",
            token.uri(SampleKey.RSA_2048), "--allow-sample-keys", newer.toString());
    assertEquals(0, result.exitCode(), result.out() + result.err());
    assertTrue(result.out().contains("signed with pkcs11:"), result.out());
    Fixtures.Result verify =
        Fixtures.kiln("bundle", "verify", out.toString(), "--trust",
            fixtures.publicKey.toString());
    assertEquals(0, verify.exitCode(), verify.out() + verify.err());
  }

  @Test
  void sampleKeysAreRefusedWithoutTheFlag() {
    Fixtures.Result result =
        Fixtures.kiln("bundle", "create", "--out", dir.resolve("x.kbundle").toString(), "--key",
            "file:" + fixtures.privateKey, newer.toString());
    assertEquals(4, result.exitCode(), result.err());
    assertFalse(Files.exists(dir.resolve("x.kbundle")));
  }

  @Test
  void missingBundleIsExit3() {
    Fixtures.Result result =
        Fixtures.kiln("bundle", "verify", dir.resolve("none.kbundle").toString(), "--trust",
            fixtures.publicKey.toString());
    assertEquals(3, result.exitCode());
  }
}
