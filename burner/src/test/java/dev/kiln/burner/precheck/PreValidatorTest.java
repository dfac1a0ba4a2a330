package dev.kiln.burner.precheck;

import dev.kiln.inspector.ImageFormat;
import dev.kiln.inspector.section.FwVersion;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each refusal reason of the pre-check, one at a time, and the clean case. */
class PreValidatorTest {
  private static final String KEY = "0123456789abcdef0123456789abcdef";
  private static final byte[] KEY_DER = {1, 2, 3};
  private static final FwVersion RUNNING = FwVersion.parse("22.39.1002");
  private static final FwVersion NEW = FwVersion.parse("22.41.1000");

  private final PreValidator validator = new PreValidator();

  private static DeviceProfile device(Optional<FwVersion> pending, int securityVersion) {
    return new DeviceProfile(
        "ConnectX-6 Dx",
        0x212,
        "MT_0000000001",
        RUNNING,
        pending,
        securityVersion,
        true,
        List.of(new TrustedKey(KEY, KEY_DER)),
        true,
        List.of(FwVersion.parse("22.40.1000")),
        true);
  }

  private static ImageFacts image(
      String psid, int hwId, FwVersion version, int securityVersion, List<String> keys) {
    return new ImageFacts(
        psid, List.of(hwId), version, securityVersion, true, true, keys, (uuid, der) -> true);
  }

  private static ImageFacts good() {
    return image("MT_0000000001", 0x212, NEW, 1, List.of(KEY));
  }

  private PrecheckResult check(ImageFacts image) {
    return validator.validate(image, device(Optional.empty(), 1), PreValidator.Options.defaults());
  }

  @Test
  void aMatchingSignedNewerImageIsAccepted() {
    PrecheckResult result = check(good());
    assertTrue(result.accepted(), result.findings().toString());
    assertTrue(result.findings().isEmpty());
  }

  @Test
  void eachReasonHasItsCode() {
    assertCode(PrecheckCode.PSID_MISMATCH, image("MT_0000000002", 0x212, NEW, 1, List.of(KEY)));
    assertCode(PrecheckCode.DEVICE_MISMATCH, image("MT_0000000001", 0x218, NEW, 1, List.of(KEY)));
    assertCode(PrecheckCode.UNSIGNED, image("MT_0000000001", 0x212, NEW, 1, List.of()));
    assertCode(
        PrecheckCode.UNTRUSTED_KEY,
        image("MT_0000000001", 0x212, NEW, 1, List.of("ffffffffffffffffffffffffffffffff")));
    assertCode(
        PrecheckCode.FORBIDDEN_VERSION,
        image("MT_0000000001", 0x212, FwVersion.parse("22.40.1000"), 1, List.of(KEY)));
    assertCode(
        PrecheckCode.SECURITY_VERSION_ROLLBACK,
        image("MT_0000000001", 0x212, NEW, 0, List.of(KEY)));
    assertCode(PrecheckCode.SAME_VERSION, image("MT_0000000001", 0x212, RUNNING, 1, List.of(KEY)));
    assertCode(
        PrecheckCode.DOWNGRADE,
        image("MT_0000000001", 0x212, FwVersion.parse("22.39.999"), 1, List.of(KEY)));
    ImageFacts notSecure =
        new ImageFacts(
            "MT_0000000001", List.of(0x212), NEW, 1, true, false, List.of(KEY), (u, d) -> true);
    assertCode(PrecheckCode.NOT_SECURE_FW, notSecure);
    ImageFacts badSignature =
        new ImageFacts(
            "MT_0000000001", List.of(0x212), NEW, 1, true, true, List.of(KEY), (u, d) -> false);
    assertCode(PrecheckCode.BAD_SIGNATURE, badSignature);
  }

  private void assertCode(PrecheckCode expected, ImageFacts image) {
    PrecheckResult result = check(image);
    assertFalse(result.accepted());
    assertEquals(expected, result.firstError().orElseThrow().code(), result.toString());
    assertEquals(1, result.errors().size(), result.toString());
  }

  @Test
  void forceTurnsSameVersionIntoAWarning() {
    PrecheckResult result =
        validator.validate(
            image("MT_0000000001", 0x212, RUNNING, 1, List.of(KEY)),
            device(Optional.empty(), 1),
            new PreValidator.Options(true, List.of()));
    assertTrue(result.accepted());
    assertTrue(result.has(PrecheckCode.FORCED));
  }

  @Test
  void feedForbidsToo() {
    PrecheckResult result =
        validator.validate(
            good(), device(Optional.empty(), 1), new PreValidator.Options(false, List.of(NEW)));
    assertEquals(PrecheckCode.FORBIDDEN_VERSION, result.firstError().orElseThrow().code());
  }

  @Test
  void pendingImageBlocksAnUpdate() {
    PrecheckResult result =
        validator.validate(
            good(),
            device(Optional.of(FwVersion.parse("22.40.2000")), 1),
            PreValidator.Options.defaults());
    assertTrue(result.has(PrecheckCode.PENDING_RESET));
  }

  @Test
  void unknownTrustedKeysOnlyWarn() {
    DeviceProfile profile =
        new DeviceProfile(
            "", 0x212, "MT_0000000001", RUNNING, Optional.empty(), 0, true, List.of(), false,
            List.of(), false);
    PrecheckResult result = validator.validate(good(), profile, PreValidator.Options.defaults());
    assertTrue(result.accepted());
    assertTrue(result.has(PrecheckCode.TRUSTED_KEYS_UNKNOWN));
    assertTrue(result.has(PrecheckCode.FORBIDDEN_VERSIONS_UNKNOWN));
  }

  /** {@link #good()} whose own PUBLIC_KEYS hold {@code keys}, with these structural errors. */
  private static ImageFacts withOwnKeys(
      List<TrustedKey> keys, ImageFacts.SignatureCheck signatures, List<String> structure) {
    return new ImageFacts(
        "MT_0000000001", List.of(0x212), NEW, 1, true, true, List.of(KEY), signatures, keys, true,
        structure, ImageFormat.FS4);
  }

  @Test
  void anImageThatKeepsItsSignerIsAccepted() {
    PrecheckResult result =
        check(withOwnKeys(List.of(new TrustedKey(KEY, KEY_DER)), (u, d) -> true, List.of()));
    assertTrue(result.accepted(), result.toString());
    assertTrue(result.findings().isEmpty(), result.toString());
  }

  @Test
  void keyLockOutIsRefusedUnlessOverridden() {
    assertCode(
        PrecheckCode.KEY_LOCKOUT_NO_KEYS, withOwnKeys(List.of(), (u, d) -> true, List.of()));
    assertCode(
        PrecheckCode.KEY_LOCKOUT_SIGNER_NOT_TRUSTED,
        withOwnKeys(
            List.of(new TrustedKey("ffffffffffffffffffffffffffffffff", KEY_DER)),
            (u, d) -> true, List.of()));
    // The signer's UUID, but a key under it that does not verify the signature.
    byte[] other = {9, 9, 9};
    assertCode(
        PrecheckCode.KEY_LOCKOUT_SIGNER_NOT_TRUSTED,
        withOwnKeys(
            List.of(new TrustedKey(KEY, other)), (u, d) -> java.util.Arrays.equals(d, KEY_DER),
            List.of()));
    PrecheckResult allowed =
        validator.validate(
            withOwnKeys(List.of(), (u, d) -> true, List.of()), device(Optional.empty(), 1),
            new PreValidator.Options(false, List.of(), true));
    assertTrue(allowed.accepted(), allowed.toString());
    assertEquals(PrecheckCode.KEY_LOCKOUT_NO_KEYS, allowed.warnings().get(0).code());
    // Force (versions) is not the lock-out override.
    PrecheckResult forced =
        validator.validate(
            withOwnKeys(List.of(), (u, d) -> true, List.of()), device(Optional.empty(), 1),
            new PreValidator.Options(true, List.of()));
    assertFalse(forced.accepted());
  }

  @Test
  void structuralErrorsRefuse() {
    assertCode(
        PrecheckCode.STRUCTURE_INVALID,
        withOwnKeys(
            List.of(new TrustedKey(KEY, KEY_DER)), (u, d) -> true,
            List.of("DTOC_HEADER: no valid DTOC header at 0x1f000")));
  }
}
