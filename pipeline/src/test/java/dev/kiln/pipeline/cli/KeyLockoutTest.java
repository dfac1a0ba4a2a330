package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.burner.Sleeper;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.signer.fs4.KeyUuid;
import dev.kiln.signer.fs4.PublicKeysFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Never lock out (issue 11, point 1): an image after which the device would trust no fw-update key,
 * or no longer the key that signed it, is refused by every command that judges images for devices
 * ({@code burn}, {@code check}, {@code bundle create}, {@code gate}), reported by {@code verify}
 * and warned about (or, {@code --strict}, refused) by {@code sign}; {@code --allow-key-lockout}
 * is the only way through, and the test shows why it is dangerous.
 */
class KeyLockoutTest {
  @TempDir static Path images;
  static Path running;
  static Path good;
  static Path noKeysUnsigned;
  static Path noKeys;
  static Path otherUuid;
  static Path otherKey;
  static Path publicKey;

  @BeforeAll
  static void buildImages() throws Exception {
    DeviceOptions.sleeper = millis -> {};
    publicKey = SampleKeys.writePublicKey(SampleKey.RSA_2048, images);
    running = BurnTestImages.signed(images, SampleFirmware.Spec.secure("22.39.1002"), "running");
    SampleFirmware.Spec next = SampleFirmware.Spec.secure("22.41.1000");
    good = BurnTestImages.signed(images, next, "good");
    noKeysUnsigned = BurnTestImages.unprovisioned(images, next, "nokeys-unsigned");
    Run signNoKeys = BurnTestImages.sign(images, noKeysUnsigned, "nokeys");
    assertEquals(0, signNoKeys.exitCode(), signNoKeys.err());
    assertTrue(
        signNoKeys.err().startsWith("kiln: warning: ")
            && signNoKeys.err().contains("is not among the image's PUBLIC_KEYS (they hold no key)"),
        signNoKeys.err());
    noKeys = images.resolve("nokeys.bin");
    // The sample key, but registered under another UUID than the one the image is signed under.
    RSAPublicKey sample =
        dev.kiln.signer.pem.PemKeys.readPublicKey(SampleKey.RSA_2048.publicKeyPem(), "sample");
    Path otherUuidUnsigned =
        BurnTestImages.provisioned(
            images, next, "other-uuid",
            new PublicKeysFile.Key(sample, KeyUuid.parse(BurnTestImages.UNTRUSTED)));
    assertEquals(0, BurnTestImages.sign(images, otherUuidUnsigned, "other-uuid").exitCode());
    otherUuid = images.resolve("other-uuid.bin");
    // The signer's UUID, but another key under it.
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    Path otherKeyUnsigned =
        BurnTestImages.provisioned(
            images, next, "other-key",
            new PublicKeysFile.Key(
                (RSAPublicKey) generator.generateKeyPair().getPublic(), BurnTestImages.TRUSTED));
    assertEquals(0, BurnTestImages.sign(images, otherKeyUnsigned, "other-key").exitCode());
    otherKey = images.resolve("other-key.bin");
  }

  @AfterAll
  static void restore() {
    DeviceOptions.sleeper = Sleeper.REAL;
  }

  static String device(Path dir) throws Exception {
    return "emu:" + BurnTestImages.device(dir.resolve("dev"), running);
  }

  @Test
  void burnRefusesAnImageThatTrustsNoKeyAndTheOverrideShowsWhy(@TempDir Path dir)
      throws Exception {
    String device = device(dir);
    Run refused = kiln("burn", "--device", device, noKeys.toString(), "--yes");
    assertEquals(ExitCodes.CHECK_FAILED, refused.exitCode(), refused.err());
    assertTrue(refused.err().contains("refused before writing anything"), refused.err());
    assertTrue(refused.out().contains("refused: key lock-out"), refused.out());
    assertTrue(refused.err().contains("[KEY_LOCKOUT_NO_KEYS]"), refused.err());
    // --force is about versions; it never lifts the lock-out rule.
    Run forced = kiln("burn", "--device", device, noKeys.toString(), "--yes", "--force");
    assertEquals(ExitCodes.CHECK_FAILED, forced.exitCode(), forced.err());
    BurnRefusalTest.assertStillRunsTheOldImage(device);

    Run allowed =
        kiln("burn", "--device", device, noKeys.toString(), "--yes", "--allow-key-lockout");
    assertEquals(0, allowed.exitCode(), allowed.err() + allowed.out());
    assertTrue(allowed.out().contains("warning: key lock-out"), allowed.out());
    assertTrue(allowed.out().contains("[KEY_LOCKOUT_NO_KEYS]"), allowed.out());
    // What the rule prevents: the device now trusts no key, and refuses even a good image.
    Run query = kiln("query", "--device", device, "--json");
    JsonNode profile = new ObjectMapper().readTree(query.out());
    assertEquals(0, profile.get("trustedKeys").size(), query.out());
    Run locked = kiln("burn", "--device", device, good.toString(), "--yes", "--force", "--read-back");
    assertEquals(ExitCodes.CHECK_FAILED, locked.exitCode(), locked.err());
    assertTrue(locked.err().contains("[UNTRUSTED_KEY]"), locked.err());
  }

  @Test
  void burnRefusesAnImageThatDoesNotTrustItsOwnSigner(@TempDir Path dir) throws Exception {
    String device = device(dir);
    Run byUuid = kiln("burn", "--device", device, otherUuid.toString(), "--yes");
    assertEquals(ExitCodes.CHECK_FAILED, byUuid.exitCode(), byUuid.err());
    assertTrue(byUuid.err().contains("[KEY_LOCKOUT_SIGNER_NOT_TRUSTED]"), byUuid.err());
    assertTrue(byUuid.out().contains("which its own PUBLIC_KEYS do not hold (they hold "
        + BurnTestImages.UNTRUSTED + ")"), byUuid.err());
    Run byKey = kiln("burn", "--device", device, otherKey.toString(), "--yes");
    assertEquals(ExitCodes.CHECK_FAILED, byKey.exitCode(), byKey.err());
    assertTrue(byKey.out().contains("hold another key under that UUID"), byKey.out());
    assertTrue(byKey.err().contains("[KEY_LOCKOUT_SIGNER_NOT_TRUSTED]"), byKey.err());
    BurnRefusalTest.assertStillRunsTheOldImage(device);
    Run goodBurn = kiln("burn", "--device", device, good.toString(), "--yes");
    assertEquals(0, goodBurn.exitCode(), goodBurn.err());
  }

  @Test
  void checkRefusesAndTheOverrideMakesItAWarning(@TempDir Path dir) throws Exception {
    String device = device(dir);
    Run refused = kiln("check", noKeys.toString(), "--device", device);
    assertEquals(ExitCodes.CHECK_FAILED, refused.exitCode(), refused.out());
    assertTrue(refused.out().contains("REFUSE  KEY_LOCKOUT_NO_KEYS"), refused.out());
    Run allowed =
        kiln("check", noKeys.toString(), "--device", device, "--allow-key-lockout", "--json");
    assertEquals(0, allowed.exitCode(), allowed.out() + allowed.err());
    JsonNode finding = new ObjectMapper().readTree(allowed.out()).get("findings").get(0);
    assertEquals("KEY_LOCKOUT_NO_KEYS", finding.get("code").asText());
    assertEquals("WARNING", finding.get("severity").asText());
  }

  @Test
  void signStrictRefusesAndWritesNothing() throws Exception {
    Run strict = BurnTestImages.sign(images, noKeysUnsigned, "strict", "--strict");
    assertEquals(ExitCodes.CHECK_FAILED, strict.exitCode(), strict.err());
    assertEquals(1, strict.err().strip().lines().count(), strict.err());
    assertTrue(strict.err().contains("nothing was written"), strict.err());
    assertFalse(Files.exists(images.resolve("strict.bin")));
    // A provisioned image signs under --strict without a word.
    Path provisioned =
        BurnTestImages.unsigned(images, SampleFirmware.Spec.secure("22.41.1000"), "strict-ok");
    Run ok = BurnTestImages.sign(images, provisioned, "strict-ok", "--strict");
    assertEquals(0, ok.exitCode(), ok.err());
    assertEquals("", ok.err());
  }

  @Test
  void verifyReportsItWithACode() {
    Run verify = kiln("verify", noKeys.toString(), "--trust", publicKey.toString());
    assertEquals(0, verify.exitCode(), verify.out() + verify.err());
    assertTrue(verify.out().contains("warning SIGNATURE_KEY_NOT_IN_IMAGE IMAGE_SIGNATURE_256"),
        verify.out());
    assertTrue(verify.out().contains("(they hold no key)"), verify.out());
    Run strict =
        kiln("verify", otherUuid.toString(), "--trust", publicKey.toString(),
            "--warnings-as-errors");
    assertEquals(ExitCodes.CHECK_FAILED, strict.exitCode(), strict.out());
    assertTrue(strict.out().contains("SIGNATURE_KEY_NOT_IN_IMAGE"), strict.out());
    Run clean = kiln("verify", good.toString(), "--trust", publicKey.toString());
    assertFalse(clean.out().contains("SIGNATURE_KEY_NOT_IN_IMAGE"), clean.out());
  }

  @Test
  void gateFailsItAndBundleCreateRefusesIt(@TempDir Path dir) throws Exception {
    Path policy = dir.resolve("policy.json");
    Files.writeString(
        policy,
        """
        {"trustedKeys": ["%s"], "requiredSignatures": ["IMAGE_SIGNATURE_256"],
         "allowedPsids": ["%s"], "allowedDeviceIds": ["0x212"],
         "minimumSecurityVersion": 0, "requireSecureFw": true, "allowSampleKeys": true}
        """.formatted(publicKey, SampleFirmware.PSID));
    Run gate =
        kiln("gate", "--policy", policy.toString(), "--json", noKeys.toString(), good.toString());
    assertEquals(ExitCodes.CHECK_FAILED, gate.exitCode(), gate.out() + gate.err());
    JsonNode entries = new ObjectMapper().readTree(gate.out());
    assertTrue(entries.toString().contains("GATE_KEY_LOCKOUT"), gate.out());
    Run passes = kiln("gate", "--policy", policy.toString(), good.toString());
    assertEquals(0, passes.exitCode(), passes.out() + passes.err());

    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_2048, dir);
    Path bundle = dir.resolve("lockout.kbundle");
    Run create =
        kiln("bundle", "create", "--out", bundle.toString(), noKeys.toString(), "--key",
            "file:" + key, "--allow-sample-keys");
    assertEquals(ExitCodes.CHECK_FAILED, create.exitCode(), create.err());
    assertTrue(create.err().contains("[KEY_LOCKOUT_NO_KEYS]"), create.err());
    assertFalse(Files.exists(bundle));
  }
}
