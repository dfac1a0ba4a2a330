package dev.kiln.signer;

import dev.kiln.signer.kms.KmsSigningService;
import dev.kiln.signer.pem.PemSigningService;
import dev.kiln.signer.pkcs11.Pkcs11SigningService;

/** Opens the {@link SigningService} a {@link KeyReference} names. */
public final class SigningServices {
  private SigningServices() {}

  /**
   * Opens the key: reads and decrypts a PEM file, logs in to a PKCS#11 token and finds the key, or
   * builds a KMS client (credentials from the AWS SDK's default chain) and checks the key with
   * DescribeKey.
   *
   * @throws KeyAccessException if the key cannot be used; the message names the reference
   */
  public static SigningService open(KeyReference reference, KeyOptions options)
      throws KeyAccessException {
    if (reference instanceof KeyReference.FileKey file) {
      return PemSigningService.open(file, options);
    }
    if (reference instanceof KeyReference.Pkcs11Key pkcs11) {
      return Pkcs11SigningService.open(pkcs11, options);
    }
    if (reference instanceof KeyReference.KmsKey kms) {
      return KmsSigningService.open(kms, options);
    }
    throw new IllegalArgumentException("unknown key reference type " + reference.getClass());
  }

  /** Parses {@code keyReference} and opens it; see {@link KeyReference#parse(String)}. */
  public static SigningService open(String keyReference, KeyOptions options)
      throws KeyAccessException {
    return open(KeyReference.parse(keyReference), options);
  }
}
