package dev.kiln.pipeline.bundle;

import dev.kiln.signer.DigestAlgorithm;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.SigningService;
import java.security.PublicKey;
import java.util.Objects;

/**
 * Signs documents through a {@link SigningService}, so manifests and feeds are signed with the same
 * key references as images (file, PKCS#11, KMS). The document is hashed here with SHA-512 and only
 * the digest goes to the key holder; the result is an RSASSA-PKCS1-v1_5 signature that verifies
 * as JCA {@code SHA512withRSA} over the document, matching {@link SignatureAlgorithms#forKey}.
 */
public final class SigningServiceSigner implements DocumentSigner {
  private final SigningService service;

  public SigningServiceSigner(SigningService service) {
    this.service = Objects.requireNonNull(service, "service");
  }

  @Override
  public PublicKey publicKey() throws KeyAccessException {
    return service.publicKey();
  }

  @Override
  public byte[] sign(byte[] document) throws KeyAccessException {
    byte[] digest = DigestAlgorithm.SHA512.digest(document);
    return service.signDigest(DigestAlgorithm.SHA512, digest);
  }

  /** The key reference, safe to print. */
  @Override
  public String toString() {
    return service.describe();
  }
}
