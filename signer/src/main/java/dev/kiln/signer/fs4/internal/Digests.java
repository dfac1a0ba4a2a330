package dev.kiln.signer.fs4.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Message digests every Java runtime must provide; a missing one is a broken runtime. */
public final class Digests {
  private Digests() {}

  public static MessageDigest get(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the Java runtime lacks " + algorithm, e);
    }
  }

  public static byte[] sha512(byte[] data, int offset, int length) {
    MessageDigest digest = get("SHA-512");
    digest.update(data, offset, length);
    return digest.digest();
  }
}
