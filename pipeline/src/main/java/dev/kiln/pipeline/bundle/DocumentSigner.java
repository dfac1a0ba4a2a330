package dev.kiln.pipeline.bundle;

import dev.kiln.signer.KeyAccessException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;

/**
 * Signs whole documents (a bundle manifest, a forbidden-versions feed) with one key. The CLI backs
 * it with the signer module's {@code SigningService}, so the same key references as {@code kiln
 * sign} work here (file, PKCS#11, KMS); the private key never passes through this interface.
 */
public interface DocumentSigner {
  /** The public half of the signing key; verifiers find the trusted key by its fingerprint. */
  PublicKey publicKey() throws KeyAccessException;

  /**
   * Signs {@code document} with the algorithm {@link SignatureAlgorithms#forKey} names for the
   * key, returning the signature in the JCA encoding of that algorithm.
   */
  byte[] sign(byte[] document)
      throws GeneralSecurityException, IOException, KeyAccessException;
}
