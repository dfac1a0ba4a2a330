package dev.kiln.pipeline.bundle;

import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.report.CheckFinding;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of {@link BundleReader#verify}: findings, and when there are none, the manifest and
 * the verified image bytes.
 *
 * @param findings every problem found; empty means the bundle verified
 * @param manifest the parsed manifest (null if missing or invalid); trust it only when {@link
 *     #verified()}
 * @param images verified image bytes by entry path
 * @param signerFingerprint fingerprint named by manifest.sig, null when there is none
 */
public record BundleVerification(
    List<CheckFinding> findings,
    BundleManifest manifest,
    Map<String, byte[]> images,
    String signerFingerprint) {
  public BundleVerification {
    findings = List.copyOf(findings);
    images = new LinkedHashMap<>(images);
  }

  /** True when the signature is valid by a trusted key and every image matches. */
  public boolean verified() {
    return findings.stream().noneMatch(CheckFinding::isError) && manifest != null;
  }

  @Override
  public Map<String, byte[]> images() {
    Map<String, byte[]> copy = new LinkedHashMap<>();
    images.forEach((path, bytes) -> copy.put(path, bytes.clone()));
    return copy;
  }

  /**
   * Picks the image for a device: the images whose PSID equals the device's and whose HW ids
   * include the device's, then the highest firmware version under numeric ordering (22.41.1000
   * is above 22.39.1002). Only a verified bundle selects anything.
   */
  public Optional<ManifestImage> select(String psid, int hwDeviceId) {
    if (!verified()) {
      return Optional.empty();
    }
    return selectFrom(manifest.images(), psid, hwDeviceId);
  }

  /** The selection rule of {@link #select}, over any list of manifest images. */
  public static Optional<ManifestImage> selectFrom(
      List<ManifestImage> images, String psid, int hwDeviceId) {
    Comparator<ManifestImage> byVersion =
        Comparator.comparing(ManifestImage::fwVersion, Comparator.<FwVersion>naturalOrder())
            .thenComparing(ManifestImage::path);
    return images.stream()
        .filter(image -> image.psid().equals(psid) && image.hwDeviceIds().contains(hwDeviceId))
        .max(byVersion);
  }

  /** The verified bytes of one image. */
  public byte[] imageBytes(ManifestImage image) {
    byte[] bytes = images.get(image.path());
    if (bytes == null) {
      throw new IllegalArgumentException("not a verified image of this bundle: " + image.path());
    }
    return bytes.clone();
  }
}
