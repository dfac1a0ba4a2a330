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

  /**
   * Parses {@code keyReference} and opens it; see {@link KeyReference#parse(String)}. A malformed
   * reference is a key error like any other (exit 4, docs/key-references.md).
   */
  public static SigningService open(String keyReference, KeyOptions options)
      throws KeyAccessException {
    return open(parse(keyReference), options);
  }

  /**
   * {@link KeyReference#parse(String)}, reporting a malformed reference as a {@link
   * KeyAccessException} (its message never repeats a {@code pin-value}).
   */
  public static KeyReference parse(String keyReference) throws KeyAccessException {
    try {
      return KeyReference.parse(keyReference);
    } catch (IllegalArgumentException e) {
      throw new KeyAccessException(e.getMessage(), e);
    }
  }
}
