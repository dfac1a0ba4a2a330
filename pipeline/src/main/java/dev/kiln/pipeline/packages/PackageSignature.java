package dev.kiln.pipeline.packages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.pipeline.bundle.DetachedSignature;
import dev.kiln.pipeline.bundle.DocumentSigner;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.signer.KeyAccessException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Optional;

/**
 * The detached kiln signature of an MFA2 archive or a DSP0267 package: neither format has room for
 * a signature over the whole file (MFA2's SHA-256 extensions are digests anyone can recompute;
 * DSP0267's checksums are CRC-32), so {@code X.mfa2} is signed in {@code X.mfa2.ksig} and {@code
 * X.fwpkg} in {@code X.fwpkg.ksig}: a {@link DetachedSignature} JSON document over the package's
 * exact bytes, made and checked with the same keys, backends and code as a bundle's manifest.sig.
 */
public final class PackageSignature {
  /** The suffix of the signature file. */
  public static final String SUFFIX = ".ksig";

  /** A signature document is a few hundred bytes; anything much larger is not one. */
  static final int MAX_SIGNATURE_BYTES = 64 * 1024;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private PackageSignature() {}

  /** {@code X.mfa2} → {@code X.mfa2.ksig}, in the same directory. */
  public static Path fileFor(Path pkg) {
    return pkg.resolveSibling(pkg.getFileName() + SUFFIX);
  }

  /** Signs the package bytes; the signature is checked with the signer's public key first. */
  public static byte[] sign(DocumentSigner signer, byte[] pkg)
      throws GeneralSecurityException, IOException, KeyAccessException {
    DetachedSignature signature = DetachedSignature.create(signer, pkg);
    return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(signature.toJson(MAPPER));
  }

  /** The signature file's bytes, if there is one (bounded read). */
  public static Optional<byte[]> read(Path signatureFile) throws IOException {
    try (InputStream in = Files.newInputStream(signatureFile)) {
      byte[] bytes = in.readNBytes(MAX_SIGNATURE_BYTES + 1);
      if (bytes.length > MAX_SIGNATURE_BYTES) {
        throw new IOException(signatureFile + ": larger than any kiln signature document");
      }
      return Optional.of(bytes);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /**
   * Checks a package's detached signature.
   *
   * @return the finding, or empty when the signature is valid by a trusted key
   */
  public static Optional<CheckFinding> check(
      byte[] pkg, Optional<byte[]> signature, Path signatureFile, TrustedKeys trust) {
    DetachedSignature.Check check = DetachedSignature.check(pkg, signature.orElse(null), trust);
    return switch (check.status()) {
      case MISSING -> Optional.of(CheckFinding.error(PackageCodes.SIGNATURE_MISSING,
          "there is no " + signatureFile.getFileName() + " beside the package"));
      case UNREADABLE -> Optional.of(CheckFinding.error(PackageCodes.SIGNATURE_MISSING,
          signatureFile.getFileName() + " is not a kiln signature document"));
      case UNKNOWN_KEY -> Optional.of(CheckFinding.error(PackageCodes.UNKNOWN_KEY,
          "the package is signed by key " + check.fingerprint()
              + ", which is not among the trusted keys"));
      case BAD_SIGNATURE -> Optional.of(CheckFinding.error(PackageCodes.BAD_SIGNATURE,
          signatureFile.getFileName()
              + " does not verify over the package: the package or its signature was changed"));
      case VALID -> Optional.empty();
    };
  }

  /** The key fingerprint a signature document names, if it can be read. */
  public static Optional<String> fingerprint(Optional<byte[]> signature) {
    if (signature.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(DetachedSignature.fromJson(MAPPER.readTree(signature.get())).keyFingerprint());
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
