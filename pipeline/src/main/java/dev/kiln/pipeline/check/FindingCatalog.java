package dev.kiln.pipeline.check;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every stable finding code the pipeline reports, with the one sentence SARIF shows as the rule
 * description. docs/pipeline.md carries the same table.
 */
public final class FindingCatalog {
  private static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();

  static {
    // Pre-validation (burner PreValidator): what the device would refuse.
    put("UNSIGNED", "The image carries no signature; a secure device refuses unsigned updates.");
    put("NOT_SECURE_FW", "The image is not secure firmware or lacks controlled-update support.");
    put("PSID_MISMATCH", "The image's PSID differs from the device's.");
    put("DEVICE_MISMATCH", "The image does not list the device's HW device id.");
    put("UNTRUSTED_KEY", "No signature is made by a key the device trusts.");
    put("BAD_SIGNATURE", "A signature by a trusted key does not verify over the image.");
    put("FORBIDDEN_VERSION", "The version is forbidden by the device or the forbidden feed.");
    put("SECURITY_VERSION_ROLLBACK", "The image's security version is below the device's.");
    put("SAME_VERSION", "The image has the version already on flash.");
    put("DOWNGRADE", "The image is older than the version on flash.");
    put("PENDING_RESET", "The device waits for a reset to run a pending image.");
    put("TRUSTED_KEYS_UNKNOWN", "The device profile does not list trusted keys.");
    put("FORBIDDEN_VERSIONS_UNKNOWN", "The device profile does not list forbidden versions.");
    put("FORCED", "A forced burn of the same or an older version.");
    put("STRUCTURE_INVALID", "The image fails kiln verify's structural verification.");
    put("KEY_LOCKOUT_NO_KEYS",
        "The image's PUBLIC_KEYS hold no key: once it runs, the device trusts no update key.");
    put("KEY_LOCKOUT_SIGNER_NOT_TRUSTED",
        "The image's PUBLIC_KEYS do not hold its signer: the next image signed so is refused.");
    // Forbidden-versions feed.
    put("FEED_MALFORMED", "The forbidden-versions feed is not a valid feed document.");
    put("FEED_UNSIGNED", "The forbidden-versions feed is not signed.");
    put("FEED_UNTRUSTED_KEY", "The feed is signed by a key that is not a trusted feed key.");
    put("FEED_BAD_SIGNATURE", "The feed's signature does not verify; it was changed.");
    put("FEED_EXPIRED", "The forbidden-versions feed has expired.");
    put("FEED_NOT_YET_VALID", "The forbidden-versions feed's issue time is in the future.");
    put("FEED_ROLLBACK", "The feed is older than the newest feed seen for its signing key.");
    // CI gate policy.
    put("GATE_UNREADABLE_IMAGE", "The file is not a readable FS4 image.");
    put("GATE_UNSIGNED", "The image is not signed.");
    put("GATE_SIGNATURE_INVALID", "An image signature fails verification.");
    put("GATE_UNTRUSTED_KEY", "The image is not signed by a key the policy trusts.");
    put("GATE_MISSING_SIGNATURE", "A signature section the policy requires is missing.");
    put("GATE_PSID_NOT_ALLOWED", "The image's PSID is not allowed by the policy.");
    put("GATE_DEVICE_NOT_ALLOWED", "The image targets no HW device the policy allows.");
    put("GATE_NOT_SECURE_FW", "The image is not secure firmware.");
    put("GATE_FORBIDDEN_VERSION", "The version is in the forbidden-versions feed.");
    put("GATE_SECURITY_VERSION_TOO_LOW", "The security version is below the policy minimum.");
    put("GATE_STRUCTURE_INVALID", "The image fails structural verification.");
    put("GATE_KEY_LOCKOUT", "The image's PUBLIC_KEYS hold no key, or not the key that signed it.");
    put("GATE_PACKAGE_UNVERIFIED",
        "A package's signature does not verify with the policy's packageKeys; its images are not gated.");
    // Bundles.
    put("BUNDLE_MANIFEST_INVALID", "The bundle's manifest is missing or invalid.");
    put("BUNDLE_SIGNATURE_MISSING", "The bundle's manifest signature is missing or unreadable.");
    put("BUNDLE_UNKNOWN_KEY", "The manifest is signed by a key that is not trusted.");
    put("BUNDLE_BAD_SIGNATURE", "The manifest signature does not verify.");
    put("BUNDLE_IMAGE_MISSING", "An image listed in the manifest is missing.");
    put("BUNDLE_IMAGE_DIGEST_MISMATCH", "An image does not match its manifest digest.");
    put("BUNDLE_EXTRA_ENTRY", "The bundle holds an entry the manifest does not list.");
    put("BUNDLE_UNSAFE_ENTRY_NAME", "An entry name could escape the extraction directory.");
    put("BUNDLE_DUPLICATE_ENTRY", "Two bundle entries have the same name.");
    // MFA2 archives and DSP0267 packages (docs/packages.md).
    put("PACKAGE_SIGNATURE_MISSING", "The package has no readable detached signature (.ksig).");
    put("PACKAGE_UNKNOWN_KEY", "The package is signed by a key that is not trusted.");
    put("PACKAGE_BAD_SIGNATURE", "The package's detached signature does not verify over it.");
    put("PACKAGE_IMAGE_INVALID", "A component of the package is not an FS4 image kiln reads.");
  }

  private FindingCatalog() {}

  private static void put(String code, String description) {
    DESCRIPTIONS.put(code, description);
  }

  /** The description of {@code code}, or a generic sentence for a code not in the catalogue. */
  public static String describe(String code) {
    return DESCRIPTIONS.getOrDefault(code, "Kiln finding " + code + ".");
  }

  /** Every known code, in documentation order. */
  public static Map<String, String> all() {
    return Map.copyOf(DESCRIPTIONS);
  }
}
