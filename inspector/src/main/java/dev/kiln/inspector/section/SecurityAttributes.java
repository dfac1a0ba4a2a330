package dev.kiln.inspector.section;

/**
 * The "Security Attributes" text of {@code mstflint query} (fs4-format.md §15), computed from the
 * same facts mstflint uses.
 */
public final class SecurityAttributes {
  /** What mstflint prints when the attributes do not apply. */
  public static final String NOT_APPLICABLE = "N/A";

  private SecurityAttributes() {}

  /**
   * The attributes text.
   *
   * @param info the image's IMAGE_INFO
   * @param hasSignatureSection an IMAGE_SIGNATURE_256 or _512 section exists
   * @param hasPublicKeysSection a PUBLIC_KEYS_2048 or _4096 section exists
   * @param devKey a signature section's keypair UUID marks a development key ({@link
   *     ImageSignature#isDevKey()})
   */
  public static String describe(
      ImageInfo info, boolean hasSignatureSection, boolean hasPublicKeysSection, boolean devKey) {
    if (!hasSignatureSection || !hasPublicKeysSection || !info.has(ImageInfoFlag.MCC_EN)) {
      return NOT_APPLICABLE;
    }
    StringBuilder text = new StringBuilder();
    if (info.has(ImageInfoFlag.SECURE_FW)) {
      text.append("secure-fw");
    } else if (info.has(ImageInfoFlag.SIGNED_FW)) {
      text.append("signed-fw");
    } else {
      return NOT_APPLICABLE;
    }
    if (info.has(ImageInfoFlag.DEBUG_FW)) {
      text.append(", debug");
    }
    if (devKey) {
      text.append(", dev");
    }
    return text.toString();
  }
}
