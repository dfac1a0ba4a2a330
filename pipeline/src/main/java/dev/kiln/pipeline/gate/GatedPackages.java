package dev.kiln.pipeline.gate;

import dev.kiln.inspector.ImageParser;
import dev.kiln.pipeline.bundle.BundleReader;
import dev.kiln.pipeline.bundle.BundleVerification;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.packages.ForeignPackage;
import dev.kiln.pipeline.packages.PackageFormat;
import dev.kiln.pipeline.packages.PackageSignature;
import dev.kiln.pipeline.packages.PackageVerification;
import dev.kiln.pipeline.packages.PackagedImage;
import dev.kiln.pipeline.report.ArtifactDigest;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.pipeline.report.ReportEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The packages {@code kiln gate} takes as inputs besides images: a kiln bundle, an MFA2 archive or
 * a DSP0267 package (told apart by content). Each is read once and its signature verified with the
 * policy's {@code packageKeys}; the package is a result of its own ({@code GATE_UNREADABLE_IMAGE},
 * {@code GATE_PACKAGE_UNVERIFIED}), and only a verified package's images are then gated, each as
 * its own result ({@code PACKAGE!NAME}) with every image check. Fail closed: a package that cannot
 * be read or verified is a failure and contributes no image.
 */
final class GatedPackages {
  /** The checks of a package's own result, in order (JUnit lists each as a test case). */
  static final List<String> CHECKS =
      List.of(GateCodes.UNREADABLE_IMAGE, GateCodes.PACKAGE_UNVERIFIED);

  /**
   * An image a verified package holds, as the gate names it.
   *
   * @param subject {@code PACKAGE!NAME}
   * @param bytes the verified image bytes, judged as they are
   * @param expected structural finding codes the package makes expected (an MFA2 component has no
   *     DTOC)
   */
  record Image(String subject, byte[] bytes, Set<String> expected) {
    Image {
      expected = Set.copyOf(expected);
    }
  }

  /** A package's own result and the images to gate (none unless it verified). */
  record Opened(GateResult.ImageResult result, List<Image> images) {
    Opened {
      images = List.copyOf(images);
    }
  }

  private final TrustedKeys packageKeys;
  private final boolean anyPackageKeys;

  /**
   * @param packageKeys the keys the policy's {@code packageKeys} hold
   * @param anyPackageKeys whether the policy names any (without, every package is unverified)
   */
  GatedPackages(TrustedKeys packageKeys, boolean anyPackageKeys) {
    this.packageKeys = packageKeys;
    this.anyPackageKeys = anyPackageKeys;
  }

  /** Whether the gate takes {@code input} as a package rather than as an image. */
  static boolean isPackage(Path input) {
    return PackageFormat.of(input).isPresent();
  }

  /** Reads and verifies the package; the format is decided again from the bytes read. */
  Opened open(Path input) {
    String subject = input.toString();
    byte[] bytes;
    try {
      bytes = PackageFormat.of(input).orElse(null) == PackageFormat.KBUNDLE
          ? BundleReader.readBundle(input) : ImageParser.readFile(input);
    } catch (IOException e) {
      return unreadable(subject, Optional.empty(), "not a readable package: " + Gate.reason(input, e));
    }
    Optional<ArtifactDigest> read = Optional.of(ArtifactDigest.of(bytes));
    Optional<PackageFormat> format = PackageFormat.of(bytes);
    if (format.isEmpty()) {
      return unreadable(subject, read, "not a kiln bundle, MFA2 archive or DSP0267 package");
    }
    List<CheckFinding> findings = new ArrayList<>();
    if (!anyPackageKeys) {
      findings.add(CheckFinding.error(GateCodes.PACKAGE_UNVERIFIED,
          "the policy names no packageKeys to verify the package's signature with"));
    }
    List<Image> images = new ArrayList<>();
    try {
      if (format.get() == PackageFormat.KBUNDLE) {
        BundleVerification bundle = BundleReader.verify(bytes, packageKeys);
        if (findings.isEmpty() && !bundle.verified()) {
          findings.add(unverified(bundle.findings()));
        }
        for (Map.Entry<String, byte[]> image : bundle.images().entrySet()) {
          images.add(new Image(subject + "!" + image.getKey(), image.getValue(), Set.of()));
        }
      } else {
        ForeignPackage pkg = ForeignPackage.of(bytes, subject);
        Path signatureFile = PackageSignature.fileFor(input);
        PackageVerification verification = PackageVerification.verify(
            pkg, PackageSignature.read(signatureFile), signatureFile, packageKeys);
        if (findings.isEmpty() && !verification.verified()) {
          findings.add(unverified(verification.findings()));
        }
        for (PackagedImage image : pkg.images()) {
          images.add(new Image(
              subject + "!" + image.name(), image.image(), image.expectedFindings()));
        }
      }
    } catch (IOException e) {
      return unreadable(subject, read, "not a readable package: " + Gate.reason(input, e));
    }
    // Only a verified package's images are judged at all.
    return new Opened(
        new GateResult.ImageResult(
            new ReportEntry(subject, CHECKS, findings), read, Optional.empty()),
        findings.isEmpty() ? images : List.of());
  }

  /** A package that cannot be read: its signature check cannot run, and it holds no image. */
  private static Opened unreadable(
      String subject, Optional<ArtifactDigest> read, String message) {
    ReportEntry entry =
        new ReportEntry(
            subject, CHECKS, List.of(CheckFinding.error(GateCodes.UNREADABLE_IMAGE, message)),
            Map.of(GateCodes.PACKAGE_UNVERIFIED, "the file is not a readable package"));
    return new Opened(new GateResult.ImageResult(entry, read, Optional.empty()), List.of());
  }

  private static CheckFinding unverified(List<CheckFinding> findings) {
    return CheckFinding.error(GateCodes.PACKAGE_UNVERIFIED,
        "the package's signature does not verify with the policy's packageKeys: "
            + findings.stream().filter(CheckFinding::isError).map(CheckFinding::toString)
                .collect(Collectors.joining("; ")));
  }
}
