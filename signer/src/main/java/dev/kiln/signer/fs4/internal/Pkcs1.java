package dev.kiln.signer.fs4.internal;

import dev.kiln.signer.DigestAlgorithm;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;

/** RSASSA-PKCS1-v1_5 verification of a signature over a digest computed by the caller. */
public final class Pkcs1 {
  private Pkcs1() {}

  /** Modulus length of a key in bytes, as OpenSSL's {@code RSA_size} counts it. */
  public static int modulusBytes(RSAPublicKey key) {
    return (key.getModulus().bitLength() + 7) / 8;
  }

  /**
   * True when {@code signature} is a valid PKCS#1 v1.5 signature by {@code key} of the message
   * whose {@code algorithm} digest is {@code digest}.
   */
  public static boolean verifies(
      RSAPublicKey key, DigestAlgorithm algorithm, byte[] digest, byte[] signature) {
    if (signature.length != modulusBytes(key) || digest.length != algorithm.digestLength()) {
      return false;
    }
    try {
      // NONEwithRSA checks the type-1 padding and compares the rest with the DigestInfo given.
      Signature verifier = Signature.getInstance("NONEwithRSA");
      verifier.initVerify(key);
      verifier.update(algorithm.digestInfo(digest));
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
