package dev.kiln.signer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash functions Kiln signs with, and the DER {@code DigestInfo} prefixes that
 * RSASSA-PKCS1-v1_5 puts in front of the digest (RFC 8017 §9.2, note 1).
 *
 * <p>Backends that only offer raw PKCS#1 padding ({@code CKM_RSA_PKCS} on an HSM, {@code
 * NONEwithRSA} in JCA) sign {@link #digestInfo(byte[])}; backends that take the digest and an
 * algorithm name (AWS KMS {@code MessageType=DIGEST}) send the bare digest.
 */
public enum DigestAlgorithm {
  /** SHA-256; mstflint signs with it when the key is RSA-2048. */
  SHA256("SHA-256", "SHA256withRSA", 32, "3031300d060960864801650304020105000420"),
  /** SHA-512; mstflint signs with it when the key is RSA-4096. */
  SHA512("SHA-512", "SHA512withRSA", 64, "3051300d060960864801650304020305000440");

  private final String jcaName;
  private final String jcaSignatureName;
  private final int digestLength;
  private final byte[] digestInfoPrefix;

  DigestAlgorithm(String jcaName, String jcaSignatureName, int digestLength, String prefixHex) {
    this.jcaName = jcaName;
    this.jcaSignatureName = jcaSignatureName;
    this.digestLength = digestLength;
    this.digestInfoPrefix = HexFormat.of().parseHex(prefixHex);
  }

  /** The JCA {@link MessageDigest} name, e.g. {@code SHA-512}. */
  public String jcaName() {
    return jcaName;
  }

  /** The JCA {@link java.security.Signature} name that verifies such signatures. */
  public String jcaSignatureName() {
    return jcaSignatureName;
  }

  /** The digest length in bytes (32 or 64). */
  public int digestLength() {
    return digestLength;
  }

  /** A fresh {@link MessageDigest} for this algorithm. */
  public MessageDigest newMessageDigest() {
    try {
      return MessageDigest.getInstance(jcaName);
    } catch (NoSuchAlgorithmException e) {
      // Every Java SE platform must provide SHA-256 and SHA-512.
      throw new IllegalStateException(jcaName + " missing from the JDK", e);
    }
  }

  /** The digest of {@code data}. */
  public byte[] digest(byte[] data) {
    return newMessageDigest().digest(data);
  }

  /**
   * The DER-encoded {@code DigestInfo} (algorithm identifier with NULL parameters, then the digest
   * as an OCTET STRING) that RSASSA-PKCS1-v1_5 pads and signs.
   *
   * @throws IllegalArgumentException if {@code digest} does not have {@link #digestLength()} bytes
   */
  public byte[] digestInfo(byte[] digest) {
    checkDigestLength(digest);
    byte[] info = new byte[digestInfoPrefix.length + digest.length];
    System.arraycopy(digestInfoPrefix, 0, info, 0, digestInfoPrefix.length);
    System.arraycopy(digest, 0, info, digestInfoPrefix.length, digest.length);
    return info;
  }

  /** Throws {@link IllegalArgumentException} unless the digest has the right length. */
  public void checkDigestLength(byte[] digest) {
    if (digest.length != digestLength) {
      throw new IllegalArgumentException(
          jcaName + " digest must be " + digestLength + " bytes, got " + digest.length);
    }
  }
}
