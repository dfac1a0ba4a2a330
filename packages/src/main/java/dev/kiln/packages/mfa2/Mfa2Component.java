package dev.kiln.packages.mfa2;

import dev.kiln.inspector.UpdateComponent;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One component of an MFA2 archive: its component descriptor's fields and the component's bytes
 * as stored in the component block (after the 16-byte {@code #BIN.COMPONENT!#} marker, which is
 * not part of {@link #data()}). For an FS4 image, mstarchive stores the image as mstflint burns it
 * ({@code FwExtract4MBImage(data, true)}: up to the end of the last ITOC section, the magic
 * pattern masked with 0xFF), which is {@code dev.kiln.inspector.UpdateComponent#bytes}.
 *
 * @param classification the descriptor's pldm_classification (mstarchive writes 0)
 * @param identifier the descriptor's identifier, the MCC component index the kernel flashes it
 *     as (mstarchive writes 0)
 */
public record Mfa2Component(int classification, int identifier, Mfa2Version version, byte[] data) {
  public Mfa2Component {
    if (classification < 0 || classification > 0xFFFF || identifier < 0 || identifier > 0xFFFF) {
      throw new IllegalArgumentException("classification and identifier are 16-bit values");
    }
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  public int size() {
    return data.length;
  }

  /** The component with its magic (FS4 or FS3) put back where it is masked: an image the parser reads. */
  public byte[] image() {
    byte[] image = data.clone();
    UpdateComponent.restoreMagic(image);
    return image;
  }

  /** The SHA-256 of {@link #data()}, hex. */
  public String sha256() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Mfa2Component that
        && classification == that.classification
        && identifier == that.identifier
        && version.equals(that.version)
        && Arrays.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Mfa2Component[" + version.paddedVersion() + ", " + data.length + " bytes]";
  }
}
