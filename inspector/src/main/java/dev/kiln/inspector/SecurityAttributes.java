package dev.kiln.inspector;

import dev.kiln.inspector.section.ImageInfo;
import dev.kiln.inspector.section.ImageInfoFlag;
import dev.kiln.inspector.section.ImageSignature;
import java.util.List;

/**
 * The "Security Attributes" and "Default Update Method" lines of {@code mstflint query}, computed
 * from an image exactly as mstflint does (fs4-format.md §15).
 *
 * <ol>
 *   <li>The image counts as secure-update capable only if it has an IMAGE_SIGNATURE_256 or _512
 *       section, a PUBLIC_KEYS_2048 or _4096 section, and IMAGE_INFO has mcc_en set. Otherwise the
 *       attributes are {@code N/A} and the update method is {@code Legacy}.
 *   <li>Then: {@code secure-fw} if secure_fw is set, else {@code signed-fw} if signed_fw is set,
 *       else {@code N/A} (and nothing is appended).
 *   <li>{@code , debug} when debug_fw is set.
 *   <li>{@code , dev} when some signature section's keypair UUID looks like a development key:
 *       not all zero in its first three dwords, its fourth dword zero and the low 16 bits of its
 *       third dword zero.
 * </ol>
 *
 * @param text the attribute string as mstflint prints it
 * @param updateMethod {@code fw_ctrl} or {@code Legacy}
 * @param devKey true when a signature carries a development-key UUID (see above)
 */
public record SecurityAttributes(String text, String updateMethod, boolean devKey) {
  /** What mstflint prints for "no value". */
  public static final String NOT_AVAILABLE = "N/A";

  /**
   * Computes the attributes.
   *
   * @param imageInfo IMAGE_INFO, or null when the image has none
   * @param signaturePresent an IMAGE_SIGNATURE_256 or _512 section exists
   * @param publicKeysPresent a PUBLIC_KEYS_2048 or _4096 section exists
   * @param signatures every decoded signature section
   */
  public static SecurityAttributes compute(
      ImageInfo imageInfo,
      boolean signaturePresent,
      boolean publicKeysPresent,
      List<ImageSignature> signatures) {
    boolean devKey = signatures.stream().anyMatch(ImageSignature::isDevKey);
    boolean capable = imageInfo != null && signaturePresent && publicKeysPresent
        && imageInfo.has(ImageInfoFlag.MCC_EN);
    if (!capable) {
      return new SecurityAttributes(NOT_AVAILABLE, "Legacy", devKey);
    }
    // The attribute text itself is the section package's rule (shared with the writer's tests).
    String text = dev.kiln.inspector.section.SecurityAttributes.describe(
        imageInfo, signaturePresent, publicKeysPresent, devKey);
    return new SecurityAttributes(text, "fw_ctrl", devKey);
  }
}
