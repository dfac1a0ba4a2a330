package dev.kiln.pipeline.cli;

import dev.kiln.burner.DeviceException;
import dev.kiln.burner.DeviceInfo;
import dev.kiln.burner.DeviceNameResolver;
import dev.kiln.burner.ImageRejectedException;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.precheck.DeviceProfile;
import dev.kiln.burner.precheck.DeviceProfiles;
import dev.kiln.burner.precheck.ImageFacts;
import dev.kiln.pipeline.bundle.BundleBurn;
import dev.kiln.pipeline.check.CheckedImage;
import dev.kiln.pipeline.check.FindingCatalog;
import dev.kiln.pipeline.check.ImageCheck;
import dev.kiln.pipeline.check.TargetProfiles;
import dev.kiln.pipeline.feed.FeedException;
import dev.kiln.pipeline.feed.ForbiddenVersionsFeed;
import dev.kiln.pipeline.packages.ForeignPackage;
import dev.kiln.pipeline.packages.PackagedImage;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.pipeline.report.ReportEntry;
import dev.kiln.pipeline.report.ReportFiles;
import dev.kiln.registers.TransportException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln check (IMAGE | --bundle BUNDLE --trust KEY) (--device DEV | --target PROFILE.json)
 * [--forbidden FEED --feed-trust KEY]}: predicts, before anything is written, every reason a secure device would refuse the
 * image. Exit 0 accept, 1 refuse. Finding codes: docs/pipeline.md.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Pre-validate an image against a device or a saved target profile.",
      "Checks the HW device id and PSID, secure FW, the signature by a trusted key, forbidden"
          + " versions (the device's list and the signed feed), the security version and"
          + " downgrades. Exit 0 accept, 1 refuse."
    })
public final class CheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "IMAGE",
      description =
          "The FS4 image, or an MFA2 archive or DSP0267 package (the image it gives the device"
              + " is checked), or give --bundle.")
  Path image;

  @Option(
      names = "--bundle",
      paramLabel = "BUNDLE",
      description = "Check the image a verified release bundle holds for the target.")
  Path bundle;

  @Option(
      names = "--trust",
      paramLabel = "KEY",
      description =
          "PEM public key trusted to sign bundle manifests (with --bundle) or a package's .ksig"
              + " (with an MFA2 or DSP0267 IMAGE); repeatable.")
  List<Path> bundleTrust = new ArrayList<>();

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  /** Exactly one of a live device and a saved profile. */
  static final class Target {
    @Option(
        names = {"-d", "--device"},
        paramLabel = "DEV",
        description =
            "A live device: emu:DIR, tcp://HOST:PORT, pci:DDDD:BB:DD.F or replay:FILE (also"
                + " BB:DD.F, mlx5_N or /dev/mst/mtNNNN_pciconfN when they resolve).")
    String device;

    @Option(
        names = "--target",
        paramLabel = "PROFILE",
        description = "A saved target profile ('kiln query --json' output).")
    Path profile;
  }

  @Option(
      names = "--record",
      paramLabel = "FILE",
      description =
          "With --device: record every register transaction to FILE (replay it with --device"
              + " replay:FILE).")
  Path record;

  @Mixin ForbiddenFeedOptions feedOptions = new ForbiddenFeedOptions();

  @Option(
      names = "--allow-key-lockout",
      description =
          "Report an image after which the device would trust no fw-update key, or no longer its"
              + " signer, as a warning instead of a refusal (KEY_LOCKOUT_*).")
  boolean allowKeyLockout;

  @Option(names = "--json", description = "Print the findings as JSON.")
  boolean json;

  @Option(names = "--sarif", paramLabel = "FILE", description = "Write a SARIF 2.1.0 report.")
  Path sarif;

  @Option(names = "--junit", paramLabel = "FILE", description = "Write a JUnit XML report.")
  Path junit;

  @Override
  public Integer call()
      throws IOException, DeviceException, TransportException, ImageRejectedException {
    feedOptions.validate(spec);
    BundleCheckSupport.validate(this);
    ImageFacts facts = null;
    ForeignPackage foreign = null;
    if (bundle == null) {
      SignCommand.requireReadable(image);
      if (BundleCommand.isForeignPackage(image)) {
        foreign = PackageCheckSupport.open(image, bundleTrust);
      } else {
        // Read once: the structure, facts and signatures judged are of the same bytes.
        facts = CheckedImage.read(image).facts();
      }
    }
    Optional<ForbiddenVersionsFeed> verifiedFeed = Optional.empty();
    Optional<CheckFinding> feedProblem = Optional.empty();
    try {
      verifiedFeed = feedOptions.load(FeedCommand.clock.instant());
    } catch (FeedException e) {
      feedProblem =
          Optional.of(CheckFinding.error(e.code(), feedOptions.feedFile() + ": " + e.getMessage()));
    }
    String targetName;
    DeviceProfile profile;
    if (target.profile != null) {
      if (record != null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--record needs --device: a saved profile has no device to record");
      }
      SignCommand.requireReadable(target.profile);
      profile = TargetProfiles.read(target.profile);
      targetName = target.profile.toString();
    } else {
      profile = liveProfile(target.device);
      targetName = target.device;
    }
    String subject = image == null ? null : image.toString();
    if (foreign != null) {
      PackagedImage chosen = PackageCheckSupport.select(foreign, profile);
      subject = image + ":" + chosen.name();
      facts = CheckedImage.of(chosen, subject).facts();
    }
    if (bundle != null) {
      BundleBurn.Selection selection = BundleCheckSupport.select(this, profile);
      subject = bundle + ":" + selection.entry().path();
      facts = CheckedImage.of(selection.image(), subject).facts();
    }
    ReportEntry entry =
        ImageCheck.check(subject, facts, profile, verifiedFeed, feedProblem, allowKeyLockout);
    ReportFiles.write(
        List.of(entry), sarif, junit, "kiln check", FindingCatalog::describe, null);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      var node = ReportFiles.json(entry);
      node.put("target", targetName);
      out.println(ReportFiles.pretty(node));
    } else {
      out.printf("Checking %s (%s %s, %s) against %s (%s, HW id 0x%x, PSID %s, on flash %s)%n",
          subject, facts.psid(), facts.version(), "security version " + facts.securityVersion(),
          targetName, profile.deviceName().isEmpty() ? "device" : profile.deviceName(),
          profile.hwDeviceId(), profile.psid(), profile.flashVersion());
      for (CheckFinding finding : entry.findings()) {
        out.printf("  %-7s %s%n", finding.isError() ? "REFUSE" : "warn", finding);
      }
      long errors = entry.findings().stream().filter(CheckFinding::isError).count();
      out.println(
          entry.accepted()
              ? "ACCEPT: the device is expected to accept this image."
              : "REFUSE: the device would refuse this image (" + errors + " reason"
                  + (errors == 1 ? "" : "s") + ").");
    }
    return entry.accepted() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
  }

  private DeviceProfile liveProfile(String uri)
      throws DeviceException, TransportException, ImageRejectedException {
    DeviceOptions options = new DeviceOptions();
    try {
      options.device = DeviceNameResolver.system().parse(uri);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(ExitCodes.USAGE, "--device " + uri + ": " + e.getMessage());
    }
    options.record = record;
    try (SecureDevice session = options.open()) {
      DeviceInfo info = session.query();
      return DeviceProfiles.of(session, info, true);
    }
  }
}
