package dev.kiln.pipeline.cli;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.packages.pldm.PldmFormatRevision;
import dev.kiln.pipeline.bundle.DocumentSigner;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.packages.BuiltPackage;
import dev.kiln.pipeline.packages.PackageBuilder;
import dev.kiln.pipeline.packages.PackageDescription;
import dev.kiln.pipeline.packages.PackageFormat;
import dev.kiln.pipeline.packages.PackageSignature;
import dev.kiln.pipeline.packages.PackageVerification;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.signer.KeyAccessException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The MFA2 and DSP0267 side of {@code kiln bundle create|verify|inspect} ({@link BundleCommand}
 * keeps the kiln bundle side): making a package and its detached signature, verifying both, and
 * showing what a package holds (docs/packages.md).
 */
final class PackageCommands {
  private PackageCommands() {}

  /** The DSP0267 version {@code --pldm-version} names (default 1.0, the one mstflint reads). */
  static PldmFormatRevision pldmRevision(String version) {
    if (version == null) {
      return PldmFormatRevision.V1_0;
    }
    return PldmFormatRevision.ofSpecVersion(version)
        .orElseThrow(() -> new CommandFailure(ExitCodes.USAGE,
            "--pldm-version " + version + ": give 1.0, 1.1, 1.2 or 1.3"));
  }

  /** Builds, writes, signs and verifies a package of {@code format} from checked image bytes. */
  static void create(
      PrintWriter out, Path target, PackageFormat format, PldmFormatRevision revision,
      String label, Instant created, List<byte[]> images, List<Path> names, DocumentSigner signer,
      String signerName)
      throws IOException, KeyAccessException {
    List<Fs4Image> parsed = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      parsed.add(ImageParser.parse(images.get(i), names.get(i).toString()));
    }
    BuiltPackage built;
    try {
      built = format == PackageFormat.MFA2
          ? PackageBuilder.mfa2(parsed, label, created)
          : PackageBuilder.pldm(parsed, revision, label, created);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(ExitCodes.USAGE, e.getMessage());
    }
    PackageVerification written;
    try {
      written = dev.kiln.pipeline.packages.SignedPackageWriter.write(target, built, signer);
    } catch (GeneralSecurityException e) {
      throw new KeyAccessException(signerName + ": cannot sign the package: " + e.getMessage(), e);
    }
    out.printf("wrote %s: %d image(s), %s version %s, signed with %s in %s%n", target,
        images.size(), describe(format, revision), label, signerName,
        PackageSignature.fileFor(target).getFileName());
    out.printf("verified %s: %d image(s) read back as given, signature by %s%n", target,
        written.pkg().images().size(), written.signerFingerprint());
  }

  /** {@code kiln bundle verify PACKAGE}: exit 0 verified, 1 not (with the findings). */
  static int verify(PrintWriter out, Path file, List<Path> trust) throws IOException {
    PackageVerification verification = PackageVerification.verify(file, TrustedKeys.load(trust));
    if (verification.verified()) {
      out.printf("%s: verified (%s signed by %s in %s; %d image(s) read)%n", file,
          describe(verification.pkg().format(), null), verification.signerFingerprint(),
          PackageSignature.fileFor(file).getFileName(), verification.pkg().images().size());
      return ExitCodes.OK;
    }
    List<CheckFinding> findings = verification.findings();
    findings.forEach(f -> out.println("  " + f));
    throw new CommandFailure(ExitCodes.CHECK_FAILED, file + ": NOT verified: "
        + findings.get(0).message()
        + (findings.size() > 1 ? " (and " + (findings.size() - 1) + " more)" : ""));
  }

  /** {@code kiln bundle inspect PACKAGE [--trust KEY]}. */
  static int inspect(PrintWriter out, Path file, List<Path> trust) throws IOException {
    TrustedKeys keys = trust.isEmpty() ? TrustedKeys.of(List.of()) : TrustedKeys.load(trust);
    PackageVerification verification = PackageVerification.verify(file, keys);
    PackageDescription.print(out, verification.pkg());
    out.printf("%-17s%s%n", "Signed by:", verification.signerFingerprint() == null
        ? "no " + PackageSignature.fileFor(file).getFileName()
        : verification.signerFingerprint() + " (" + PackageSignature.fileFor(file).getFileName() + ")");
    out.printf("%-17s%s%n", "Verified:", trust.isEmpty() ? "not checked (no --trust given)"
        : verification.verified() ? "yes" : "NO");
    if (!trust.isEmpty() && !verification.verified()) {
      verification.findings().forEach(f -> out.println("  " + f));
      return ExitCodes.CHECK_FAILED;
    }
    return ExitCodes.OK;
  }

  private static String describe(PackageFormat format, PldmFormatRevision revision) {
    return switch (format) {
      case MFA2 -> "MFA2 archive";
      case PLDM -> revision == null ? "DSP0267 package" : "DSP0267 " + revision.specVersion() + " package";
      case KBUNDLE -> "kiln bundle";
    };
  }
}
