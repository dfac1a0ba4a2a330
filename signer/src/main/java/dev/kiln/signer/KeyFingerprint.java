package dev.kiln.signer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.HexFormat;

/**
 * The fingerprint Kiln uses to name a public key in audit logs and to recognise the sample keys:
 * the SHA-256 of the key's DER SubjectPublicKeyInfo ({@link PublicKey#getEncoded()}), as 64 lower
 * case hex digits. It equals {@code openssl pkey -pubin -in key.pub.pem -outform DER | sha256sum}.
 */
public final class KeyFingerprint {
  private KeyFingerprint() {}

  /** The lower-case hex SHA-256 of {@code key}'s SubjectPublicKeyInfo encoding. */
  public static String of(PublicKey key) {
    byte[] spki = key.getEncoded();
    if (spki == null || !"X.509".equals(key.getFormat())) {
      throw new IllegalArgumentException("public key has no X.509 (SPKI) encoding");
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}
