package dev.kiln.pipeline.packages;

/** Stable finding codes of MFA2 and DSP0267 package verification (docs/packages.md). */
public final class PackageCodes {
  /** There is no {@code PACKAGE.ksig} beside the package, or it is not a kiln signature. */
  public static final String SIGNATURE_MISSING = "PACKAGE_SIGNATURE_MISSING";
  /** The package is signed by a key that is not among the trusted keys. */
  public static final String UNKNOWN_KEY = "PACKAGE_UNKNOWN_KEY";
  /** The detached signature does not verify over the package: one of them was changed. */
  public static final String BAD_SIGNATURE = "PACKAGE_BAD_SIGNATURE";
  /** A component of the package is not an FS4 image kiln can read. */
  public static final String IMAGE_INVALID = "PACKAGE_IMAGE_INVALID";

  private PackageCodes() {}
}
