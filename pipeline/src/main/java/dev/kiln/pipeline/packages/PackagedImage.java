package dev.kiln.pipeline.packages;

/**
 * One FS4 image a foreign package (MFA2 or DSP0267) holds, as kiln checks and burns it.
 *
 * @param name where it sits in the package, for messages ("MT_0000000359 component 0")
 * @param psid the PSID the package files it under (its device descriptor or PSID descriptor)
 * @param image the image bytes (for MFA2 with the FS4 magic put back where the archive masks it)
 * @param updateComponent true when the package holds the image cut as mstflint burns it (MFA2:
 *     up to the end of the last ITOC section, {@code dev.kiln.inspector.UpdateComponent}), so it
 *     has no DTOC: the device data stay on the device's flash
 */
public record PackagedImage(String name, String psid, byte[] image, boolean updateComponent) {
  /**
   * The structural finding every update component has and no device minds: the image ends before
   * where a whole flash image holds its DTOC.
   */
  public static final String NO_DTOC = "DTOC_HEADER";

  public PackagedImage {
    image = image.clone();
  }

  /** Whether a structural finding of this image is one its package makes expected. */
  public boolean expected(String findingCode) {
    return updateComponent && NO_DTOC.equals(findingCode);
  }

  @Override
  public byte[] image() {
    return image.clone();
  }
}
