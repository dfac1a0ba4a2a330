package dev.kiln.pipeline.bundle;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The bundle half of {@code kiln burn --bundle}: verify the bundle offline, then pick the image for
 * the device (same PSID and HW device id, highest version). An unverified bundle never yields an
 * image.
 */
public final class BundleBurn {
  private BundleBurn() {}

  /**
   * The image chosen for a device.
   *
   * @param entry its manifest entry
   * @param image its verified bytes
   * @param bundleSha512 lower-case hex SHA-512 of the whole bundle file (for the burn log)
   */
  public record Selection(ManifestImage entry, byte[] image, String bundleSha512) {
    public Selection {
      image = image.clone();
    }

    @Override
    public byte[] image() {
      return image.clone();
    }
  }

  /** Why a bundle gives no image to burn. */
  public static final class RefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    public RefusedException(String message) {
      super(message);
    }
  }

  /**
   * Verifies {@code bundle} with {@code trust} and selects the image for a device.
   *
   * @throws IOException if the bundle cannot be read at all
   * @throws RefusedException if it does not verify or holds no image for the device
   */
  public static Selection select(Path bundle, TrustedKeys trust, String psid, int hwDeviceId)
      throws IOException, RefusedException {
    VerifiedBundle verified = VerifiedBundle.open(bundle, trust);
    return verified
        .select(psid, hwDeviceId)
        .orElseThrow(() -> new RefusedException(verified.noImageFor(psid, hwDeviceId)));
  }
}
