package dev.kiln.pipeline.packages;

import dev.kiln.inspector.ImageParser;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.report.CheckFinding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code kiln bundle verify} of an MFA2 archive or a DSP0267 package: the package itself is read
 * and checked in full by its reader (a malformed one is an exception, exit 3), then its detached
 * signature ({@link PackageSignature}) and every image it holds (each must be an FS4 image kiln
 * reads).
 *
 * @param signerFingerprint the key the signature document names, null without one
 */
public record PackageVerification(ForeignPackage pkg, List<CheckFinding> findings, String signerFingerprint) {
  public PackageVerification {
    findings = List.copyOf(findings);
  }

  public boolean verified() {
    return findings.stream().noneMatch(CheckFinding::isError);
  }

  /** Reads {@code file} and its {@code .ksig} once and verifies them. */
  public static PackageVerification verify(Path file, TrustedKeys trust) throws IOException {
    ForeignPackage pkg = ForeignPackage.read(file);
    Path signatureFile = PackageSignature.fileFor(file);
    Optional<byte[]> signature = PackageSignature.read(signatureFile);
    return verify(pkg, signature, signatureFile, trust);
  }

  /** Verifies a package already read with the signature document read beside it. */
  public static PackageVerification verify(
      ForeignPackage pkg, Optional<byte[]> signature, Path signatureFile, TrustedKeys trust) {
    List<CheckFinding> findings = new ArrayList<>();
    PackageSignature.check(pkg.bytes(), signature, signatureFile, trust).ifPresent(findings::add);
    for (PackagedImage image : pkg.images()) {
      try {
        ImageParser.parse(image.image(), pkg.source() + ":" + image.name());
      } catch (IOException e) {
        findings.add(CheckFinding.error(PackageCodes.IMAGE_INVALID,
            image.name() + " is not an FS4 image kiln reads: " + e.getMessage()));
      }
    }
    return new PackageVerification(pkg, findings, PackageSignature.fingerprint(signature).orElse(null));
  }
}
