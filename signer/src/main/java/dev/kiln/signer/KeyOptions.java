package dev.kiln.signer;

import java.net.URI;

/**
 * Settings that go with a {@link KeyReference} but are not part of it, because they are secrets or
 * belong to the environment rather than to the key.
 *
 * @param keyPassphrase where the passphrase of an encrypted PEM file comes from, or {@code null}
 * @param kmsRegion the AWS region for {@code awskms:} keys, or {@code null} for the key ARN's
 *     region or else the SDK's default region chain
 * @param kmsEndpoint an endpoint override for the KMS client only (never for STS), or {@code null}
 * @param requiredKeyBits the RSA modulus size the caller needs (2048 or 4096), or 0 for any; a key
 *     of another size is refused when the service opens
 * @param askOnTerminal ask on the terminal, without echo, for a passphrase or PIN the key needs
 *     when no source names it ({@link SecretSource#terminal}); for interactive runs only
 */
public record KeyOptions(
    SecretSource keyPassphrase,
    String kmsRegion,
    URI kmsEndpoint,
    int requiredKeyBits,
    boolean askOnTerminal) {

  public KeyOptions {
    if (requiredKeyBits < 0) {
      throw new IllegalArgumentException("requiredKeyBits must be >= 0");
    }
  }

  /** No passphrase, default region and endpoint, any key size. */
  public static KeyOptions defaults() {
    return new KeyOptions(null, null, null, 0, false);
  }

  public KeyOptions withKeyPassphrase(SecretSource source) {
    return new KeyOptions(source, kmsRegion, kmsEndpoint, requiredKeyBits, askOnTerminal);
  }

  public KeyOptions withKmsRegion(String region) {
    return new KeyOptions(keyPassphrase, region, kmsEndpoint, requiredKeyBits, askOnTerminal);
  }

  public KeyOptions withKmsEndpoint(URI endpoint) {
    return new KeyOptions(keyPassphrase, kmsRegion, endpoint, requiredKeyBits, askOnTerminal);
  }

  public KeyOptions withRequiredKeyBits(int bits) {
    return new KeyOptions(keyPassphrase, kmsRegion, kmsEndpoint, bits, askOnTerminal);
  }

  public KeyOptions withAskOnTerminal(boolean ask) {
    return new KeyOptions(keyPassphrase, kmsRegion, kmsEndpoint, requiredKeyBits, ask);
  }

  /**
   * The passphrase source for an encrypted PEM key: the one given, else the terminal when allowed,
   * else {@code null}.
   */
  public SecretSource passphraseFor(KeyReference keyReference) {
    if (keyPassphrase != null || !askOnTerminal) {
      return keyPassphrase;
    }
    return SecretSource.terminal("passphrase for " + keyReference);
  }
}
