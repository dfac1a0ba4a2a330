package dev.kiln.pipeline.bundle;

import dev.kiln.signer.KeyFingerprint;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;

/**
 * The one table of which signature algorithm goes with which key type for Kiln's document
 * signatures (bundle manifests, feeds), and how a key is named by fingerprint.
 */
public final class SignatureAlgorithms {
  private SignatureAlgorithms() {}

  /**
   * The JCA signature algorithm for a key: RSA keys sign with PKCS#1 v1.5 over SHA-512 (what HSMs
   * and KMS offer everywhere), EC keys with ECDSA over SHA-512 (DER-encoded), Ed25519 as itself.
   */
  public static String forKey(PublicKey key) throws GeneralSecurityException {
    return switch (key.getAlgorithm()) {
      case "RSA" -> "SHA512withRSA";
      case "EC" -> "SHA512withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new NoSuchAlgorithmException(
          "no document signature algorithm for " + key.getAlgorithm() + " keys");
    };
  }

  /**
   * A key's fingerprint as {@code kiln keys} prints it ({@link KeyFingerprint#of}: lower-case hex
   * SHA-256 of the X.509 SubjectPublicKeyInfo). Stable across PEM, PKCS#11 and KMS copies of the
   * same key because all of them export the same SubjectPublicKeyInfo.
   */
  public static String fingerprint(PublicKey key) {
    return KeyFingerprint.of(key);
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JRE has SHA-256", e);
    }
  }
}
