package dev.kiln.pipeline.bundle;

import dev.kiln.inspector.section.FwVersion;
import java.util.List;
import java.util.Objects;

/**
 * One image as a bundle manifest describes it.
 *
 * @param path the zip entry name, {@code images/NAME}
 * @param size the image's length in bytes
 * @param sha512 lower-case hex SHA-512 of the image bytes
 * @param psid the image's PSID
 * @param hwDeviceIds the HW device ids the image supports
 * @param fwVersion the image's firmware version
 * @param securityVersion the image's security (anti-rollback) version
 * @param signingKeyUuids keypair UUIDs of the image's signature sections, dashed as {@code
 *     KeyUuid} prints them
 * @param prevalidation the pre-validation outcome against each target given at creation
 */
public record ManifestImage(
    String path,
    long size,
    String sha512,
    String psid,
    List<Integer> hwDeviceIds,
    FwVersion fwVersion,
    int securityVersion,
    List<String> signingKeyUuids,
    List<TargetResult> prevalidation) {
  public ManifestImage {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(sha512, "sha512");
    Objects.requireNonNull(psid, "psid");
    Objects.requireNonNull(fwVersion, "fwVersion");
    hwDeviceIds = List.copyOf(hwDeviceIds);
    signingKeyUuids = List.copyOf(signingKeyUuids);
    prevalidation = List.copyOf(prevalidation);
  }

  /** The file name inside {@code images/}. */
  public String fileName() {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /**
   * The outcome of pre-validating the image against one target profile when the bundle was made.
   *
   * @param target the target's name (its profile file name without extension)
   * @param accepted whether the device described by the profile would accept the image
   * @param findings {@code CODE: message} lines, errors and warnings
   */
  public record TargetResult(String target, boolean accepted, List<String> findings) {
    public TargetResult {
      Objects.requireNonNull(target, "target");
      findings = List.copyOf(findings);
    }
  }
}
