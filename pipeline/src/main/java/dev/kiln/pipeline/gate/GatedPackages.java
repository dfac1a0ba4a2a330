package dev.kiln.pipeline.gate;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.pipeline.bundle.BundleReader;
import dev.kiln.pipeline.bundle.BundleVerification;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.packages.PackageFormat;
import dev.kiln.pipeline.packages.PackageVerification;
import dev.kiln.pipeline.packages.PackagedImage;
import dev.kiln.pipeline.report.CheckFinding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The packages {@code kiln gate} takes as inputs besides images: a kiln bundle, an MFA2 archive or
 * a DSP0267 package (told apart by content). Each is read once and its signature verified with the
 * policy's {@code packageKeys} (one report entry for the package: {@code GATE_UNREADABLE_IMAGE},
 * {@code GATE_PACKAGE_UNVERIFIED}); only a verified package's images are then gated, each as its
 * own entry ({@code PACKAGE!NAME}) with every image check. Fail closed: a package that cannot be
 * read or verified contributes a failure and no image.
 */
final class GatedPackages {
  static final List<String> CHECKS =
      List.of(GateCodes.UNREADABLE_IMAGE, GateCodes.PACKAGE_UNVERIFIED);

  /** An image a verified package holds, with how the gate names it. */
  record Image(Fs4Image image, String subject, Predicate<String> expected) {}

  /** A package's own entry and its images. */
  record Opened(dev.kiln.pipeline.report.ReportEntry entry, List<Image> images) {}

  private final List<Path> packageKeys;

  GatedPackages(List<Path> packageKeys) {
    this.packageKeys = packageKeys;
  }

  static boolean isPackage(Path input) {
    return PackageFormat.of(input).isPresent();
  }

  Opened open(Path input) {
    String subject = input.toString();
    List<CheckFinding> findings = new ArrayList<>();
    List<Image> images = new ArrayList<>();
    try {
      TrustedKeys trust = TrustedKeys.load(packageKeys);
      if (packageKeys.isEmpty()) {
        findings.add(CheckFinding.error(GateCodes.PACKAGE_UNVERIFIED,
            "the policy names no packageKeys to verify the package's signature with"));
      }
      if (PackageFormat.of(input).orElseThrow() == PackageFormat.KBUNDLE) {
        BundleVerification bundle = BundleReader.verify(input, trust);
        if (findings.isEmpty() && !bundle.verified()) {
          findings.add(unverified(bundle.findings()));
        }
        if (findings.isEmpty()) {
          for (Map.Entry<String, byte[]> image : bundle.images().entrySet()) {
            String name = subject + "!" + image.getKey();
            images.add(new Image(ImageParser.parse(image.getValue(), name), name, code -> false));
          }
        }
      } else {
        PackageVerification verification = PackageVerification.verify(input, trust);
        if (findings.isEmpty() && !verification.verified()) {
          findings.add(unverified(verification.findings()));
        }
        if (findings.isEmpty()) {
          for (PackagedImage image : verification.pkg().images()) {
            String name = subject + "!" + image.name();
            images.add(new Image(ImageParser.parse(image.image(), name), name, image::expected));
          }
        }
      }
    } catch (IOException e) {
      findings.add(CheckFinding.error(GateCodes.UNREADABLE_IMAGE,
          "not a readable package: " + e.getMessage()));
      images.clear();
    }
    return new Opened(new dev.kiln.pipeline.report.ReportEntry(subject, CHECKS, findings), images);
  }

  private static CheckFinding unverified(List<CheckFinding> findings) {
    return CheckFinding.error(GateCodes.PACKAGE_UNVERIFIED,
        "the package's signature does not verify with the policy's packageKeys: "
            + findings.stream().map(CheckFinding::toString).collect(Collectors.joining("; ")));
  }
}
