package dev.kiln.keys;

import java.util.UUID;

/**
 * The sample RSA key pairs shipped in this module. <strong>NOT FOR PRODUCTION</strong>: their
 * private halves are public in the source tree. {@code kiln sign} recognises them by {@link
 * #fingerprint()} and refuses them unless {@code --allow-sample-keys} is given.
 *
 * <p>Resources live under {@code /dev/kiln/keys/}: {@code <baseName>.pem} (PKCS#8 private key) and
 * {@code <baseName>.pub.pem} (SubjectPublicKeyInfo public key).
 */
public enum SampleKey {
  /** RSA-2048: mstflint signs with SHA-256 when the key has this size. */
  RSA_2048(
      2048,
      "sample-rsa2048-NOT-FOR-PRODUCTION",
      "6f065e04-bb0b-4334-9d90-f62cea2b3382",
      "4153577e8c969c260ac9c67d72e05d05cb149fff721013f5ae1167334e908869"),
  /** RSA-4096: mstflint signs with SHA-512 when the key has this size. */
  RSA_4096(
      4096,
      "sample-rsa4096-NOT-FOR-PRODUCTION",
      "db7026c1-7bae-45ea-a362-7331b5c5db27",
      "949285d8ec35787c61c9cdfe73239bd9a9c8c36c11d55d8e8fc77659e90c1426");

  private final int bits;
  private final String baseName;
  private final UUID uuid;
  private final String fingerprint;

  SampleKey(int bits, String baseName, String uuid, String fingerprint) {
    this.bits = bits;
    this.baseName = baseName;
    this.uuid = UUID.fromString(uuid);
    this.fingerprint = fingerprint;
  }

  /** The RSA modulus size in bits. */
  public int bits() {
    return bits;
  }

  /** The file name without extension, e.g. {@code sample-rsa4096-NOT-FOR-PRODUCTION}. */
  public String baseName() {
    return baseName;
  }

  /** The fixed key UUID that images signed with this key carry (mstflint's {@code --key_uuid}). */
  public UUID uuid() {
    return uuid;
  }

  /**
   * The SHA-256 of the public key's DER SubjectPublicKeyInfo in lower-case hex, the same value as
   * {@code dev.kiln.signer.KeyFingerprint.of(publicKey)}.
   */
  public String fingerprint() {
    return fingerprint;
  }

  /** The classpath resource of the unencrypted PKCS#8 PEM private key. */
  public String privateKeyResource() {
    return SampleKeys.RESOURCE_DIR + baseName + ".pem";
  }

  /** The classpath resource of the PEM public key. */
  public String publicKeyResource() {
    return SampleKeys.RESOURCE_DIR + baseName + ".pub.pem";
  }

  /** The PKCS#8 PEM private key text. */
  public String privateKeyPem() {
    return SampleKeys.resourceText(privateKeyResource());
  }

  /** The PEM public key text. */
  public String publicKeyPem() {
    return SampleKeys.resourceText(publicKeyResource());
  }
}
