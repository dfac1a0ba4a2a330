package dev.kiln.pipeline.gate;

import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.report.ArtifactDigest;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.pipeline.report.ReportEntry;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The gate's outcome: one result per image, and the state of the policy's feed (which is not an
 * input of its own: an unusable feed fails every image's forbidden-version check).
 *
 * @param feed the policy's feed, when it has one
 * @param images in input order
 */
public record GateResult(Optional<FeedStatus> feed, List<ImageResult> images) {
  public GateResult {
    Objects.requireNonNull(feed, "feed");
    images = List.copyOf(images);
  }

  /**
   * The feed the policy names.
   *
   * @param path the feed file
   * @param problem why it cannot be used (a {@code FEED_*} code), empty when it verified
   * @param sequence the verified feed's sequence number, when it verified
   */
  public record FeedStatus(Path path, Optional<CheckFinding> problem, Optional<Long> sequence) {
    public boolean usable() {
      return problem.isEmpty();
    }
  }

  /**
   * What the gate established about one image.
   *
   * @param entry the checks and findings (the report entry)
   * @param read SHA-256 and size of the bytes judged, when the file could be read
   * @param facts PSID, version and security version, when IMAGE_INFO could be read
   */
  public record ImageResult(
      ReportEntry entry, Optional<ArtifactDigest> read, Optional<ImageSummary> facts) {}

  /** The facts of an image a release engineer asks about first. */
  public record ImageSummary(String psid, FwVersion version, int securityVersion) {}

  /** The report entries, one per image. */
  public List<ReportEntry> entries() {
    return images.stream().map(ImageResult::entry).toList();
  }

  /** True when every image is accepted; the gate exits 0 only then. */
  public boolean passed() {
    return images.stream().allMatch(i -> i.entry().accepted());
  }
}
