package dev.kiln.pipeline.bundle;

/** Stable finding codes of bundle verification (docs/pipeline.md lists them with examples). */
public final class BundleCodes {
  /** The bundle has no {@code manifest.json}, or it is not a valid manifest. */
  public static final String MANIFEST_INVALID = "BUNDLE_MANIFEST_INVALID";
  /** The bundle has no {@code manifest.sig}, or it is not a valid signature document. */
  public static final String SIGNATURE_MISSING = "BUNDLE_SIGNATURE_MISSING";
  /** The manifest is signed by a key that is not among the trusted keys. */
  public static final String UNKNOWN_KEY = "BUNDLE_UNKNOWN_KEY";
  /** The manifest signature does not verify: the manifest or the signature was changed. */
  public static final String BAD_SIGNATURE = "BUNDLE_BAD_SIGNATURE";
  /** An image the manifest lists is not in the bundle. */
  public static final String IMAGE_MISSING = "BUNDLE_IMAGE_MISSING";
  /** An image's bytes do not match the manifest's SHA-512 or size (changed or swapped image). */
  public static final String IMAGE_DIGEST_MISMATCH = "BUNDLE_IMAGE_DIGEST_MISMATCH";
  /** The bundle holds an entry that the manifest does not account for. */
  public static final String EXTRA_ENTRY = "BUNDLE_EXTRA_ENTRY";
  /** An entry name could escape the extraction directory (absolute, dot-dot, backslash). */
  public static final String UNSAFE_ENTRY_NAME = "BUNDLE_UNSAFE_ENTRY_NAME";
  /** Two entries have the same name. */
  public static final String DUPLICATE_ENTRY = "BUNDLE_DUPLICATE_ENTRY";

  private BundleCodes() {}
}
