package dev.kiln.pipeline.feed;

import dev.kiln.inspector.section.FwVersion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A forbidden-versions feed: versions known to be bad (a CVE, a field recall) that no device should
 * be updated to, published by a release team independently of the images. Kiln consults it in
 * {@code kiln check}, {@code kiln gate} and before every burn, on top of the device's own list.
 *
 * <p>The signed JSON form is documented in {@link FeedCodec} and docs/pipeline.md.
 *
 * @param issued when the feed was published
 * @param expires after this instant the feed is refused (a stale feed may miss new entries)
 * @param sequence a publisher's counter, larger for newer feeds (informational)
 * @param entries the rules
 */
public record ForbiddenVersionsFeed(
    Instant issued, Instant expires, long sequence, List<FeedEntry> entries) {
  public ForbiddenVersionsFeed {
    Objects.requireNonNull(issued, "issued");
    Objects.requireNonNull(expires, "expires");
    entries = List.copyOf(entries);
    if (!expires.isAfter(issued)) {
      throw new IllegalArgumentException("a feed must expire after it was issued");
    }
  }

  /** The rules that forbid {@code version} for an image with this PSID and these HW ids. */
  public List<FeedEntry> matching(String psid, List<Integer> hwIds, FwVersion version) {
    List<FeedEntry> result = new ArrayList<>();
    for (FeedEntry entry : entries) {
      if (entry.appliesToImage(psid, hwIds) && entry.versions().contains(version)) {
        result.add(entry);
      }
    }
    return result;
  }

  /** Every version forbidden for a device with this PSID and HW id (PreValidator's feed input). */
  public List<FwVersion> forbiddenFor(String psid, int hwId) {
    List<FwVersion> result = new ArrayList<>();
    for (FeedEntry entry : entries) {
      if (entry.appliesTo(psid, hwId)) {
        for (FwVersion version : entry.versions()) {
          if (!result.contains(version)) {
            result.add(version);
          }
        }
      }
    }
    return result;
  }
}
