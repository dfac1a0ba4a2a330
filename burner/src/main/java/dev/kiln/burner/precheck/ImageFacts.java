package dev.kiln.burner.precheck;

import dev.kiln.inspector.ImageFormat;
import dev.kiln.inspector.section.FwVersion;
import java.util.List;
import java.util.Objects;

/**
 * The facts about an image that a secure device's update checks depend on, taken from its
 * IMAGE_INFO, signature and security-version structures ({@link ImageFactsReader} reads them from
 * a parsed FS4 image).
 *
 * @param psid the image's PSID
 * @param supportedHwIds the HW device ids the image declares it runs on
 * @param version the image's firmware version
 * @param securityVersion the image's security (anti-rollback) version
 * @param mccEnabled IMAGE_INFO mcc_en: the image supports the controlled update path
 * @param secureFw IMAGE_INFO secure_fw: the image is secure firmware
 * @param signatureKeyUuids the keypair UUIDs named by the image's signature sections (empty when
 *     unsigned)
 * @param signatures checks a signature against a public key; null when the caller cannot verify
 * @param imageTrustedKeys the keys of the image's own PUBLIC_KEYS_2048/4096 sections: what a
 *     secure device trusts for the next update once this image runs
 * @param imageTrustedKeysKnown false when the sections could not be read (the key lock-out check
 *     is then skipped)
 * @param structureErrors the errors of {@code kiln verify}'s structural verification of these
 *     very bytes ({@code CODE: message}), empty when the structure is sound
 * @param format FS4 or FS3 (ConnectX-4 / 4 Lx), checked against the device's own format
 */
public record ImageFacts(
    String psid,
    List<Integer> supportedHwIds,
    FwVersion version,
    int securityVersion,
    boolean mccEnabled,
    boolean secureFw,
    List<String> signatureKeyUuids,
    SignatureCheck signatures,
    List<TrustedKey> imageTrustedKeys,
    boolean imageTrustedKeysKnown,
    List<String> structureErrors,
    ImageFormat format) {

  public ImageFacts {
    Objects.requireNonNull(psid, "psid");
    Objects.requireNonNull(version, "version");
    supportedHwIds = List.copyOf(supportedHwIds);
    signatureKeyUuids = List.copyOf(signatureKeyUuids);
    imageTrustedKeys = List.copyOf(imageTrustedKeys);
    structureErrors = List.copyOf(structureErrors);
    Objects.requireNonNull(format, "format");
  }

  /**
   * Facts of an FS4 image without its own keys and structure (callers that judge only targeting,
   * security flags and versions): the key lock-out and structure checks are skipped for them.
   */
  public ImageFacts(
      String psid,
      List<Integer> supportedHwIds,
      FwVersion version,
      int securityVersion,
      boolean mccEnabled,
      boolean secureFw,
      List<String> signatureKeyUuids,
      SignatureCheck signatures) {
    this(psid, supportedHwIds, version, securityVersion, mccEnabled, secureFw, signatureKeyUuids,
        signatures, List.of(), false, List.of(), ImageFormat.FS4);
  }

  /** The same facts with other supported HW ids (e.g. unused 0 slots dropped). */
  public ImageFacts withSupportedHwIds(List<Integer> ids) {
    return new ImageFacts(psid, ids, version, securityVersion, mccEnabled, secureFw,
        signatureKeyUuids, signatures, imageTrustedKeys, imageTrustedKeysKnown, structureErrors,
        format);
  }

  /** Verifies the image's signature(s) made with one key. */
  @FunctionalInterface
  public interface SignatureCheck {
    /**
     * Whether the signature that names {@code keyUuid} verifies with {@code publicKeyDer} over the
     * image's current bytes.
     */
    boolean verifies(String keyUuid, byte[] publicKeyDer);
  }
}
