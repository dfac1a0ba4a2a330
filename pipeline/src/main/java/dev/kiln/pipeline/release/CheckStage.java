package dev.kiln.pipeline.release;

import dev.kiln.burner.precheck.DeviceProfile;
import dev.kiln.burner.precheck.Finding;
import dev.kiln.burner.precheck.ImageFacts;
import dev.kiln.burner.precheck.PreValidator;
import dev.kiln.inspector.ImageParser;
import dev.kiln.pipeline.bundle.BundleReader;
import dev.kiln.pipeline.bundle.BundleVerification;
import dev.kiln.pipeline.bundle.ManifestImage;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.check.ImageCheck;
import dev.kiln.pipeline.check.ImageFactsSources;
import dev.kiln.pipeline.check.TargetProfiles;
import dev.kiln.pipeline.feed.FeedCodec;
import dev.kiln.pipeline.feed.FeedException;
import dev.kiln.pipeline.feed.ForbiddenVersionsFeed;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.pipeline.report.ReportEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Check: reads each image's facts (recorded for the bundle manifest) and pre-validates, for each
 * target profile, the image a device with that profile would be given (the bundle's selection
 * rule: same PSID and device, highest version). A target that no image fits, or whose image it
 * would refuse, fails the release.
 */
public final class CheckStage implements Stage {
  @Override
  public String name() {
    return "check";
  }

  @Override
  public void invoke(PipelineContext context) throws PipelineException {
    Optional<ForbiddenVersionsFeed> feed = loadFeed(context);
    Map<String, DeviceProfile> targets = new LinkedHashMap<>();
    for (Path target : context.description().targets()) {
      try {
        targets.put(targetName(target), TargetProfiles.read(target));
      } catch (IOException e) {
        throw new PipelineException(3, e.getMessage(), e);
      }
    }
    List<ManifestImage> entries = new ArrayList<>();
    Map<String, ImageFacts> factsByPath = new LinkedHashMap<>();
    for (PipelineContext.ReleaseImage image : context.images()) {
      ImageFacts facts;
      byte[] bytes;
      try {
        bytes = ImageParser.readFile(image.current());
        facts =
            ImageFactsSources.standard()
                .read(ImageParser.parse(bytes, image.outputName()));
      } catch (IOException e) {
        throw new PipelineException(3, image.outputName() + ": " + e.getMessage(), e);
      }
      // The image alone decides a key lock-out: refused with or without targets.
      boolean allowLockout = context.description().allowKeyLockout();
      for (Finding lockout : PreValidator.keyLockout(facts, allowLockout)) {
        if (lockout.isError()) {
          throw new PipelineException(
              1, image.outputName() + ": " + lockout.message() + " [" + lockout.code()
                  + "]; provision the release's keys with 'provisionKeys' or set"
                  + " 'allowKeyLockout'");
        }
        context.out().printf("      warning: %s: %s [%s]%n", image.outputName(),
            lockout.message(), lockout.code());
      }
      List<ManifestImage.TargetResult> results = new ArrayList<>();
      for (Map.Entry<String, DeviceProfile> target : targets.entrySet()) {
        ReportEntry check =
            ImageCheck.check(
                image.outputName(), facts, target.getValue(), feed, Optional.empty(),
                allowLockout);
        results.add(
            new ManifestImage.TargetResult(
                target.getKey(), check.accepted(),
                check.findings().stream().map(CheckFinding::toString).toList()));
      }
      ManifestImage entry =
          new ManifestImage(
              "images/" + image.outputName(), bytes.length, BundleReader.sha512Hex(bytes),
              facts.psid(), facts.supportedHwIds(), facts.version(), facts.securityVersion(),
              facts.signatureKeyUuids(),
              results);
      image.manifestEntry(entry);
      entries.add(entry);
      factsByPath.put(entry.path(), facts);
    }
    for (Map.Entry<String, DeviceProfile> target : targets.entrySet()) {
      DeviceProfile profile = target.getValue();
      Optional<ManifestImage> chosen =
          BundleVerification.selectFrom(entries, profile.psid(), profile.hwDeviceId());
      if (chosen.isEmpty()) {
        throw new PipelineException(
            1, "target " + target.getKey() + " (PSID " + profile.psid() + ", HW id 0x"
                + Integer.toHexString(profile.hwDeviceId()) + ") gets no image from this release");
      }
      ManifestImage.TargetResult result =
          chosen.get().prevalidation().stream()
              .filter(r -> r.target().equals(target.getKey()))
              .findFirst()
              .orElseThrow();
      if (!result.accepted()) {
        throw new PipelineException(
            1, "target " + target.getKey() + " would refuse " + chosen.get().fileName() + ": "
                + result.findings().stream().filter(f -> !f.startsWith("TRUSTED_KEYS_UNKNOWN"))
                    .collect(Collectors.joining("; ")));
      }
      context.out().printf("      target %s accepts %s (%s)%n", target.getKey(),
          chosen.get().fileName(), chosen.get().fwVersion());
    }
    if (targets.isEmpty()) {
      context.out().println("      no targets given: nothing to pre-validate against");
    }
  }

  private static Optional<ForbiddenVersionsFeed> loadFeed(PipelineContext context)
      throws PipelineException {
    if (context.description().feed().isEmpty()) {
      return Optional.empty();
    }
    ReleaseDescription.Feed source = context.description().feed().get();
    try {
      ForbiddenVersionsFeed feed =
          FeedCodec.verify(
              FeedCodec.readFile(source.path()), TrustedKeys.load(source.trustedKeys()),
              context.clock().instant());
      context.out().printf("      forbidden feed #%d verified (%d entries)%n", feed.sequence(),
          feed.entries().size());
      return Optional.of(feed);
    } catch (FeedException e) {
      throw new PipelineException(1, source.path() + ": " + e.getMessage() + " [" + e.code() + "]");
    } catch (IOException e) {
      throw new PipelineException(3, source.path() + ": " + e.getMessage(), e);
    }
  }

  static String targetName(Path profile) {
    String name = profile.getFileName().toString();
    return name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
  }
}
