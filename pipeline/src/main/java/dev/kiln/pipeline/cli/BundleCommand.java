package dev.kiln.pipeline.cli;

import dev.kiln.burner.precheck.DeviceProfile;
import dev.kiln.burner.precheck.ImageFacts;
import dev.kiln.burner.precheck.PreValidator;
import dev.kiln.packages.pldm.PldmFormatRevision;
import dev.kiln.pipeline.bundle.BundleManifest;
import dev.kiln.pipeline.bundle.BundleReader;
import dev.kiln.pipeline.bundle.BundleVerification;
import dev.kiln.pipeline.bundle.BundleWriter;
import dev.kiln.pipeline.bundle.DocumentSigner;
import dev.kiln.pipeline.bundle.ManifestImage;
import dev.kiln.pipeline.bundle.SigningServiceSigner;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.check.CheckedImage;
import dev.kiln.pipeline.check.ImageCheck;
import dev.kiln.pipeline.check.TargetProfiles;
import dev.kiln.pipeline.packages.PackageFormat;
import dev.kiln.pipeline.report.AtomicFiles;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.pipeline.report.ReportEntry;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.SigningService;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln bundle create|verify|inspect}: release bundles, one signed zip holding images and a
 * manifest (docs/pipeline.md "Bundles").
 */
@Command(
    name = "bundle",
    mixinStandardHelpOptions = true,
    description = "Create, verify and inspect signed release bundles, MFA2 archives and DSP0267 packages.",
    subcommands = {
      BundleCommand.Create.class,
      BundleCommand.Verify.class,
      BundleCommand.Inspect.class
    })
public final class BundleCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing subcommand: create, verify or inspect");
  }

  /** An MFA2 archive or a DSP0267 package (by content), which {@link PackageCommands} handles. */
  static boolean isForeignPackage(Path file) {
    return PackageFormat.of(file).filter(f -> f != PackageFormat.KBUNDLE).isPresent();
  }

  /** {@code kiln bundle create}. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Bundle signed images with a signed manifest.",
        "The manifest records each image's PSID, device ids, versions, SHA-512 and key UUIDs,"
            + " and its pre-validation results against each --target profile."
      })
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "BUNDLE", description = "Output file.")
    Path out;

    @Option(
        names = "--format",
        paramLabel = "FORMAT",
        description =
            "kbundle (default: a signed kiln bundle), mfa2 (an MFA2 archive for devlink flash and"
                + " mlxfwmanager) or pldm (a DSP0267 package for a BMC); mfa2 and pldm are signed"
                + " in OUT.ksig.")
    String format = "kbundle";

    @Option(
        names = "--pldm-version",
        paramLabel = "VERSION",
        description = "DSP0267 version of --format pldm: 1.0 (default, what mstflint reads) to 1.3.")
    String pldmVersion;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Signed FS4 images.")
    List<Path> images;

    @Mixin SigningKeyOptions keyOptions;

    @Option(
        names = "--target",
        paramLabel = "PROFILE",
        description = "A target profile ('kiln query --json' output) to pre-validate against.")
    List<Path> targets = new ArrayList<>();

    @Option(
        names = "--allow-key-lockout",
        description =
            "Bundle an image after which a device would trust no fw-update key, or no longer its"
                + " signer (refused otherwise: KEY_LOCKOUT_*).")
    boolean allowKeyLockout;

    @Option(
        names = "--bundle-version",
        paramLabel = "LABEL",
        description = "Release label (default: the highest image version).")
    String bundleVersion;

    @Option(
        names = "--created",
        paramLabel = "INSTANT",
        description =
            "Creation time to record (ISO-8601; default: SOURCE_DATE_EPOCH if set, else now).")
    String created;

    @Override
    public Integer call() throws Exception {
      PackageFormat packageFormat =
          PackageFormat.byCliName(format)
              .orElseThrow(() -> new CommandLine.ParameterException(
                  spec.commandLine(), "--format " + format + ": give kbundle, mfa2 or pldm"));
      if (pldmVersion != null && packageFormat != PackageFormat.PLDM) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--pldm-version goes with --format pldm");
      }
      PldmFormatRevision revision = PackageCommands.pldmRevision(pldmVersion);
      Instant createdAt = creationTime();
      Map<String, DeviceProfile> profiles = new LinkedHashMap<>();
      for (Path target : targets) {
        profiles.put(targetName(target), TargetProfiles.read(target));
      }
      List<BundleWriter.Content> contents = new ArrayList<>();
      for (Path image : images) {
        contents.add(describe(image, profiles));
      }
      String label =
          bundleVersion != null
              ? bundleVersion
              : contents.stream()
                  .map(c -> c.entry().fwVersion())
                  .max(Comparator.naturalOrder())
                  .orElseThrow()
                  .toString();
      byte[] bundle;
      try (SigningService service = keyOptions.open(spec)) {
        DocumentSigner signer = new SigningServiceSigner(service);
        if (packageFormat != PackageFormat.KBUNDLE) {
          PackageCommands.create(spec.commandLine().getOut(), out, packageFormat, revision, label,
              createdAt, contents.stream().map(BundleWriter.Content::bytes).toList(), images,
              signer, service.describe());
          return ExitCodes.OK;
        }
        try {
          bundle = BundleWriter.write(label, createdAt, contents, signer);
        } catch (IllegalArgumentException e) {
          throw new CommandFailure(ExitCodes.USAGE, e.getMessage());
        } catch (GeneralSecurityException e) {
          throw new KeyAccessException(
              service.describe() + ": cannot sign the manifest: " + e.getMessage(), e);
        }
        AtomicFiles.write(out, bundle);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf("wrote %s: %d image(s), bundle version %s, manifest signed with %s%n",
            out, contents.size(), label, service.describe());
        for (BundleWriter.Content content : contents) {
          ManifestImage entry = content.entry();
          stdout.printf("  %s  %s  %s  %s%n", entry.path(), entry.psid(), entry.fwVersion(),
              entry.prevalidation().stream()
                  .map(r -> r.target() + (r.accepted() ? " accepts" : " REFUSES"))
                  .collect(Collectors.joining(", ")));
        }
        stdout.printf("sha512 %s%n", BundleReader.sha512Hex(bundle));
      }
      return ExitCodes.OK;
    }

    private Instant creationTime() {
      try {
        if (created != null) {
          return Instant.parse(created);
        }
      } catch (DateTimeParseException e) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--created: not an ISO-8601 instant: " + created);
      }
      String epoch = System.getenv("SOURCE_DATE_EPOCH");
      if (epoch != null && epoch.matches("[0-9]{1,12}")) {
        return Instant.ofEpochSecond(Long.parseLong(epoch));
      }
      return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    private BundleWriter.Content describe(Path path, Map<String, DeviceProfile> profiles)
        throws IOException {
      CheckedImage checked = CheckedImage.read(path);
      byte[] bytes = checked.bytes();
      ImageFacts facts = checked.facts();
      // A release must never carry an image that would lock its devices out of later updates.
      for (dev.kiln.burner.precheck.Finding lockout :
          PreValidator.keyLockout(facts, allowKeyLockout)) {
        if (lockout.isError()) {
          throw new CommandFailure(
              ExitCodes.CHECK_FAILED,
              path + ": " + lockout.message() + "; nothing was written [" + lockout.code() + "]");
        }
        spec.commandLine().getErr().println(
            "kiln: warning: " + path + ": " + lockout.message() + " [" + lockout.code() + "]");
      }
      List<ManifestImage.TargetResult> results = new ArrayList<>();
      for (Map.Entry<String, DeviceProfile> target : profiles.entrySet()) {
        ReportEntry check =
            ImageCheck.check(
                path.toString(), facts, target.getValue(), Optional.empty(), Optional.empty(),
                allowKeyLockout);
        results.add(
            new ManifestImage.TargetResult(
                target.getKey(), check.accepted(),
                check.findings().stream().map(CheckFinding::toString).toList()));
      }
      String name = path.getFileName().toString();
      if (!dev.kiln.pipeline.bundle.BundleLayout.isSafeImageName(name)) {
        throw new CommandFailure(
            ExitCodes.USAGE,
            path + ": image file names in a bundle may use only letters, digits and . _ + -");
      }
      ManifestImage entry =
          new ManifestImage(
              dev.kiln.pipeline.bundle.BundleLayout.IMAGE_DIR + name,
              bytes.length,
              BundleReader.sha512Hex(bytes),
              facts.psid(),
              facts.supportedHwIds(),
              facts.version(),
              facts.securityVersion(),
              facts.signatureKeyUuids().stream()
                  .map(uuid -> uuid.replace("-", "").toLowerCase(java.util.Locale.ROOT))
                  .toList(),
              results);
      return new BundleWriter.Content(entry, bytes);
    }

    private static String targetName(Path profile) {
      String name = profile.getFileName().toString();
      return name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    }
  }

  /** {@code kiln bundle verify}. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Verify a bundle offline.",
        "Checks the manifest signature by a trusted key, every image's SHA-512, and that no"
            + " entry is missing, extra or unsafe. Exit 0 verified, 1 not."
      })
  static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BUNDLE") Path bundle;

    @Option(
        names = "--trust",
        required = true,
        paramLabel = "KEY",
        description = "PEM public key (or certificate) trusted to sign manifests; repeatable.")
    List<Path> trust;

    @Override
    public Integer call() throws IOException {
      SignCommand.requireReadable(bundle);
      if (isForeignPackage(bundle)) {
        return PackageCommands.verify(spec.commandLine().getOut(), bundle, trust);
      }
      BundleVerification verification = BundleReader.verify(bundle, TrustedKeys.load(trust));
      PrintWriter out = spec.commandLine().getOut();
      if (verification.verified()) {
        BundleManifest manifest = verification.manifest();
        out.printf("%s: verified (manifest signed by %s; %d image(s) match their SHA-512)%n",
            bundle, verification.signerFingerprint(), manifest.images().size());
        return ExitCodes.OK;
      }
      for (CheckFinding finding : verification.findings()) {
        out.println("  " + finding);
      }
      throw new CommandFailure(
          ExitCodes.CHECK_FAILED,
          bundle + ": NOT verified: " + verification.findings().get(0).message()
              + (verification.findings().size() > 1
                  ? " (and " + (verification.findings().size() - 1) + " more)"
                  : ""));
    }
  }

  /** {@code kiln bundle inspect}. */
  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      description = "List what a bundle holds; with --trust, also verify it.")
  static final class Inspect implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BUNDLE") Path bundle;

    @Option(names = "--trust", paramLabel = "KEY", description = "Also verify with these keys.")
    List<Path> trust = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
      SignCommand.requireReadable(bundle);
      if (isForeignPackage(bundle)) {
        return PackageCommands.inspect(spec.commandLine().getOut(), bundle, trust);
      }
      TrustedKeys keys = trust.isEmpty() ? TrustedKeys.of(List.of()) : TrustedKeys.load(trust);
      BundleVerification verification = BundleReader.verify(bundle, keys);
      BundleManifest manifest = verification.manifest();
      if (manifest == null) {
        throw new CommandFailure(
            ExitCodes.UNREADABLE_INPUT, bundle + ": no readable manifest in the bundle");
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf("Bundle:          %s%n", bundle);
      out.printf("Bundle version:  %s%n", manifest.bundleVersion());
      out.printf("Created:         %s%n", manifest.createdAt());
      out.printf("Signed by:       %s%n", verification.signerFingerprint());
      out.printf("Verified:        %s%n",
          trust.isEmpty() ? "not checked (no --trust given)"
              : verification.verified() ? "yes" : "NO");
      for (ManifestImage image : manifest.images()) {
        out.printf("%nImage %s%n", image.path());
        out.printf("  PSID:             %s%n", image.psid());
        out.printf("  HW device ids:    %s%n", image.hwDeviceIds().stream()
            .map(id -> "0x" + HexFormat.of().toHexDigits(id).replaceFirst("^0+(?=.)", ""))
            .collect(Collectors.joining(", ")));
        out.printf("  FW version:       %s%n", image.fwVersion());
        out.printf("  Security version: %d%n", image.securityVersion());
        out.printf("  Signing key UUID: %s%n", String.join(", ", image.signingKeyUuids()));
        out.printf("  Size:             %d bytes%n", image.size());
        out.printf("  SHA-512:          %s%n", image.sha512());
        for (ManifestImage.TargetResult result : image.prevalidation()) {
          out.printf("  Target %-10s %s%n", result.target() + ":",
              result.accepted() ? "accepts" : "refuses");
          result.findings().forEach(f -> out.printf("    %s%n", f));
        }
      }
      if (!trust.isEmpty() && !verification.verified()) {
        verification.findings().forEach(f -> out.println("  " + f));
        return ExitCodes.CHECK_FAILED;
      }
      return ExitCodes.OK;
    }
  }
}
