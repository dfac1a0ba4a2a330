package dev.kiln.pipeline.packages;

import dev.kiln.pipeline.bundle.DocumentSigner;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.report.AtomicFiles;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.signer.KeyAccessException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Writes a built package and its detached signature ({@code OUT} and {@code OUT.ksig}, each to a
 * temporary file renamed into place), then reads both back from disk and verifies them as {@code
 * kiln bundle verify} would, with the signer's own key, and checks that the images a reader finds
 * are exactly the images given. When anything differs both files are removed and the write
 * fails: a package is never left in place unverified.
 */
public final class SignedPackageWriter {
  private SignedPackageWriter() {}

  public static PackageVerification write(Path out, BuiltPackage built, DocumentSigner signer)
      throws IOException, GeneralSecurityException, KeyAccessException {
    byte[] bytes = built.bytes();
    byte[] signature = PackageSignature.sign(signer, bytes);
    Path signatureFile = PackageSignature.fileFor(out);
    AtomicFiles.write(out, bytes);
    AtomicFiles.write(signatureFile, signature);
    PackageVerification verification;
    try {
      verification = PackageVerification.verify(out, TrustedKeys.of(List.of(signer.publicKey())));
      String problem = mismatch(verification, built);
      if (problem != null) {
        throw new IOException(out + ": the written package does not verify: " + problem);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(out);
      Files.deleteIfExists(signatureFile);
      throw e;
    }
    return verification;
  }

  private static String mismatch(PackageVerification verification, BuiltPackage built) {
    if (!verification.verified()) {
      return verification.findings().stream().map(CheckFinding::toString).collect(Collectors.joining("; "));
    }
    if (verification.pkg().format() != built.format()) {
      return "it reads as " + verification.pkg().format().cliName();
    }
    List<PackagedImage> found = verification.pkg().images();
    if (found.size() != built.expected().size()) {
      return "it holds " + found.size() + " images, " + built.expected().size() + " were given";
    }
    for (int i = 0; i < found.size(); i++) {
      PackagedImage expected = built.expected().get(i);
      if (!found.get(i).psid().equals(expected.psid())
          || !Arrays.equals(found.get(i).image(), expected.image())) {
        return found.get(i).name() + " is not the image given for PSID " + expected.psid();
      }
    }
    return null;
  }
}
