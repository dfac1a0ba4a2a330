package dev.kiln.pipeline.feed;

import dev.kiln.inspector.section.FwVersion;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One rule of a forbidden-versions feed: these versions must not be burnt on devices with this
 * PSID and/or this HW device id. An entry names at least one of the two; when it names both, a
 * device must match both.
 *
 * @param psid the PSID the rule applies to, or null for every PSID
 * @param hwDeviceId the HW device id (e.g. 0x212) the rule applies to, or null for every device
 * @param versions the forbidden firmware versions (at least one)
 * @param reason why, e.g. a CVE id; shown in findings
 */
public record FeedEntry(
    String psid, Integer hwDeviceId, List<FwVersion> versions, String reason) {
  public FeedEntry {
    versions = List.copyOf(versions);
    Objects.requireNonNull(reason, "reason");
    if (psid == null && hwDeviceId == null) {
      throw new IllegalArgumentException("a feed entry needs a psid or a hwDeviceId");
    }
    if (versions.isEmpty()) {
      throw new IllegalArgumentException("a feed entry needs at least one version");
    }
  }

  /** Whether this rule applies to a device with {@code devicePsid} and {@code deviceHwId}. */
  public boolean appliesTo(String devicePsid, int deviceHwId) {
    return (psid == null || psid.equals(devicePsid))
        && (hwDeviceId == null || hwDeviceId == deviceHwId);
  }

  /** Whether this rule applies to an image with this PSID and these supported HW ids. */
  public boolean appliesToImage(String imagePsid, List<Integer> imageHwIds) {
    return (psid == null || psid.equals(imagePsid))
        && (hwDeviceId == null || imageHwIds.contains(hwDeviceId));
  }

  public Optional<String> psidOptional() {
    return Optional.ofNullable(psid);
  }
}
