package dev.kiln.signer;

import java.security.interfaces.RSAPublicKey;
import java.util.Optional;

/**
 * One RSA private key, wherever it lives (a PEM file, a PKCS#11 token, AWS KMS), able to produce
 * RSASSA-PKCS1-v1_5 signatures over a digest computed by the caller.
 *
 * <p>The caller hashes locally and hands over only the digest, so a large image never travels to an
 * HSM or to KMS, and every backend produces the same bytes for the same key (PKCS#1 v1.5 is
 * deterministic). Backends do not verify signatures themselves; callers verify with {@link
 * #publicKey()} before they write anything.
 *
 * <p>Open one with {@link SigningServices#open(KeyReference, KeyOptions)}. Implementations are safe
 * for use by one thread at a time.
 */
public interface SigningService extends AutoCloseable {

  /** The key reference as given, without any PIN or secret; safe for logs and error messages. */
  String describe();

  /** Which backend holds the key: {@code file}, {@code pkcs11} or {@code awskms}. */
  String backend();

  /**
   * The key's public half, fetched from the backend once and then cached.
   *
   * @throws KeyAccessException if the backend cannot provide it
   */
  RSAPublicKey publicKey() throws KeyAccessException;

  /**
   * Signs {@code digest} (the hash of the message under {@code algorithm}) with RSASSA-PKCS1-v1_5.
   * The result verifies with JCA {@code algorithm.jcaSignatureName()} over the original message and
   * is as long as the modulus.
   *
   * @throws IllegalArgumentException if the digest length does not match the algorithm
   * @throws KeyAccessException if the backend refuses or fails
   */
  byte[] signDigest(DigestAlgorithm algorithm, byte[] digest) throws KeyAccessException;

  /**
   * The request id of the last KMS call that signed, for the audit log; empty for other backends.
   */
  Optional<String> lastRequestId();

  /** Releases sessions, handles and clients. Never throws. */
  @Override
  void close();
}
