package dev.kiln.pipeline.check;

import dev.kiln.inspector.section.FwVersion;
import dev.kiln.burner.precheck.DeviceProfile;
import dev.kiln.burner.precheck.Finding;
import dev.kiln.burner.precheck.ImageFacts;
import dev.kiln.burner.precheck.PreValidator;
import dev.kiln.burner.precheck.PrecheckCode;
import dev.kiln.burner.precheck.PrecheckResult;
import dev.kiln.pipeline.feed.FeedEntry;
import dev.kiln.pipeline.feed.ForbiddenVersionsFeed;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.pipeline.report.ReportEntry;
import dev.kiln.pipeline.report.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code kiln check}'s engine: the burner's {@link PreValidator} (every reason the device itself
 * would refuse the image) plus the external forbidden-versions feed, as report findings.
 *
 * <p>Finding codes are the {@link PrecheckCode} names (e.g. {@code PSID_MISMATCH}) and, for a
 * feed that cannot be used, the {@code FEED_*} codes of {@link dev.kiln.pipeline.feed.FeedCodec}.
 */
public final class ImageCheck {
  private ImageCheck() {}

  /**
   * Pre-validates one image against one device.
   *
   * @param subject the image as the user named it
   * @param feed a verified feed, or empty
   * @param feedProblem a finding saying why the given feed was refused, or empty; the image is
   *     then checked without the feed and the finding makes the check fail
   */
  public static ReportEntry check(
      String subject,
      ImageFacts image,
      DeviceProfile device,
      Optional<ForbiddenVersionsFeed> feed,
      Optional<CheckFinding> feedProblem) {
    return check(subject, image, device, feed, feedProblem, false);
  }

  /**
   * {@link #check(String, ImageFacts, DeviceProfile, Optional, Optional)} with the key lock-out
   * override ({@code --allow-key-lockout}): KEY_LOCKOUT_* findings become warnings.
   */
  public static ReportEntry check(
      String subject,
      ImageFacts image,
      DeviceProfile device,
      Optional<ForbiddenVersionsFeed> feed,
      Optional<CheckFinding> feedProblem,
      boolean allowKeyLockout) {
    List<FwVersion> feedForbidden =
        feed.map(f -> f.forbiddenFor(device.psid(), device.hwDeviceId())).orElse(List.of());
    PrecheckResult result =
        new PreValidator()
            .validate(
                image, device, new PreValidator.Options(false, feedForbidden, allowKeyLockout));
    List<CheckFinding> findings = new ArrayList<>();
    feedProblem.ifPresent(findings::add);
    for (Finding finding : result.findings()) {
      findings.add(convert(finding, image, device, feed));
    }
    List<String> checks = new ArrayList<>();
    for (PrecheckCode code : PrecheckCode.values()) {
      if (code.defaultSeverity() == PrecheckCode.Severity.ERROR) {
        checks.add(code.name());
      }
    }
    return new ReportEntry(subject, checks, findings);
  }

  private static CheckFinding convert(
      Finding finding, ImageFacts image, DeviceProfile device,
      Optional<ForbiddenVersionsFeed> feed) {
    Severity severity = finding.isError() ? Severity.ERROR : Severity.WARNING;
    String message = finding.message();
    // The validator knows only that the feed forbids the version; the feed knows why.
    if (finding.code() == PrecheckCode.FORBIDDEN_VERSION
        && feed.isPresent()
        && !device.forbiddenVersions().contains(image.version())) {
      List<FeedEntry> rules =
          feed.get().matching(device.psid(), List.of(device.hwDeviceId()), image.version());
      if (!rules.isEmpty()) {
        message =
            "version " + image.version() + " is forbidden by the forbidden-versions feed ("
                + rules.stream().map(FeedEntry::reason).distinct()
                    .collect(Collectors.joining(", "))
                + ")";
      }
    }
    return new CheckFinding(finding.code().name(), severity, message);
  }

  /** One sentence per finding code, for SARIF rule descriptions and docs. */
  public static String describe(String code) {
    return FindingCatalog.describe(code);
  }
}
