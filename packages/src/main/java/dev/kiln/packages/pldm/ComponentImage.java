package dev.kiln.packages.pldm;

import dev.kiln.registers.pldm.PldmString;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One entry of the Component Image Information Area with the component's bytes. Layout
 * (DSP0267 1.3.0, "Component image information"; little-endian):
 *
 * <pre>
 * offset size field
 *   0     2   ComponentClassification (0x000A firmware, 0x000D software bundle, ...)
 *   2     2   ComponentIdentifier
 *   4     4   ComponentComparisonStamp (0xFFFFFFFF: none)
 *   8     2   ComponentOptions (bit 0 force update, bit 1 use comparison stamp)
 *  10     2   RequestedComponentActivationMethod (bit i: method i, DSP0267 Table 27)
 *  12     4   ComponentLocationOffset (from the start of the package)
 *  16     4   ComponentSize
 *  20     1   ComponentVersionStringType
 *  21     1   ComponentVersionStringLength = v (at least 1)
 *  22     v   ComponentVersionString
 * [22+v   4   ComponentOpaqueDataLength = o          (revision 3 and later)]
 * [26+v   o   ComponentOpaqueData                    (revision 3 and later)]
 * </pre>
 *
 * The location and size are not fields here: the writer lays components out one after another
 * behind the header (as OpenBMC's creator does) and the reader cuts {@link #image()} from them.
 */
public record ComponentImage(
    int classification,
    int identifier,
    long comparisonStamp,
    int options,
    int activationMethods,
    PldmString version,
    byte[] opaqueData,
    byte[] image) {

  /** ComponentClassification "Firmware" (DSP0267 1.3.0, Table 20). */
  public static final int CLASSIFICATION_FIRMWARE = 0x000A;

  /** ComponentClassification "Software bundle", what NVIDIA's ConnectX packages carry. */
  public static final int CLASSIFICATION_SOFTWARE_BUNDLE = 0x000D;

  /** ComponentComparisonStamp value meaning "no stamp". */
  public static final long NO_COMPARISON_STAMP = 0xFFFFFFFFL;

  public static final int OPTION_FORCE_UPDATE = 1;
  public static final int OPTION_USE_COMPARISON_STAMP = 1 << 1;

  public ComponentImage {
    if (classification < 0 || classification > 0xFFFF || identifier < 0 || identifier > 0xFFFF) {
      throw new IllegalArgumentException("classification and identifier are 16-bit values");
    }
    if (comparisonStamp < 0 || comparisonStamp > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("the comparison stamp is a 32-bit value");
    }
    if (version.length() == 0) {
      throw new IllegalArgumentException("a component needs a version string");
    }
    opaqueData = opaqueData.clone();
    image = image.clone();
  }

  @Override
  public byte[] opaqueData() {
    return opaqueData.clone();
  }

  @Override
  public byte[] image() {
    return image.clone();
  }

  public int size() {
    return image.length;
  }

  /** The SHA-256 of the component's bytes, hex. */
  public String sha256() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ComponentImage that
        && classification == that.classification
        && identifier == that.identifier
        && comparisonStamp == that.comparisonStamp
        && options == that.options
        && activationMethods == that.activationMethods
        && version.equals(that.version)
        && Arrays.equals(opaqueData, that.opaqueData)
        && Arrays.equals(image, that.image);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(image);
  }

  @Override
  public String toString() {
    return String.format(
        "ComponentImage[classification 0x%04x, id %d, version %s, %d bytes]",
        classification, identifier, version, image.length);
  }
}
