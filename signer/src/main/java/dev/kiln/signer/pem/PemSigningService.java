package dev.kiln.signer.pem;

import dev.kiln.inspector.io.BoundedFiles;
import dev.kiln.signer.DigestAlgorithm;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.KeyReference;
import dev.kiln.signer.SigningService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Optional;

/**
 * A key read from a PEM file ({@code file:PATH}). Signing pads a DigestInfo with JCA {@code
 * NONEwithRSA}, which is RSASSA-PKCS1-v1_5 over a digest computed by the caller and gives the same
 * bytes as {@code SHA512withRSA} over the message.
 */
public final class PemSigningService implements SigningService {
  /** Largest key file read: an encrypted RSA-4096 PEM key is about 3.5 KiB. */
  public static final long MAX_KEY_FILE_BYTES = 64L << 10;

  private final KeyReference.FileKey reference;
  private RSAPrivateCrtKey privateKey;
  private final RSAPublicKey publicKey;

  private PemSigningService(KeyReference.FileKey reference, RSAPrivateCrtKey privateKey) {
    this.reference = reference;
    this.privateKey = privateKey;
    this.publicKey = PemKeys.publicKeyOf(privateKey);
  }

  /**
   * Reads and decrypts the key file.
   *
   * @throws KeyAccessException if the file cannot be read, holds no single RSA private key, the
   *     passphrase is missing or wrong, or the key size differs from {@link
   *     KeyOptions#requiredKeyBits()}
   */
  public static PemSigningService open(KeyReference.FileKey reference, KeyOptions options)
      throws KeyAccessException {
    byte[] bytes;
    try {
      bytes = BoundedFiles.read(reference.path(), MAX_KEY_FILE_BYTES, "a PEM private key file");
    } catch (BoundedFiles.UnreadableFileException e) {
      throw new KeyAccessException(reference + ": cannot read the key file: " + e.getMessage());
    } catch (IOException | SecurityException e) {
      throw new KeyAccessException(
          reference + ": cannot read the key file (" + e.getClass().getSimpleName() + ")");
    }
    RSAPrivateCrtKey key;
    try {
      key =
          PemKeys.readPrivateKey(
              new String(bytes, StandardCharsets.US_ASCII),
              options.passphraseFor(reference),
              reference.toString());
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
    int bits = key.getModulus().bitLength();
    if (options.requiredKeyBits() != 0 && bits != options.requiredKeyBits()) {
      throw new KeyAccessException(
          reference
              + ": the key is RSA-"
              + bits
              + " but RSA-"
              + options.requiredKeyBits()
              + " is required");
    }
    return new PemSigningService(reference, key);
  }

  @Override
  public String describe() {
    return reference.toString();
  }

  @Override
  public String backend() {
    return reference.backend();
  }

  @Override
  public RSAPublicKey publicKey() {
    return publicKey;
  }

  @Override
  public byte[] signDigest(DigestAlgorithm algorithm, byte[] digest) throws KeyAccessException {
    byte[] digestInfo = algorithm.digestInfo(digest);
    if (privateKey == null) {
      throw new IllegalStateException(reference + ": the signing service is closed");
    }
    try {
      Signature signature = Signature.getInstance("NONEwithRSA");
      signature.initSign(privateKey);
      signature.update(digestInfo);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new KeyAccessException(reference + ": signing failed (" + e.getMessage() + ")", e);
    }
  }

  @Override
  public Optional<String> lastRequestId() {
    return Optional.empty();
  }

  @Override
  public void close() {
    // The JDK's key objects cannot be wiped; dropping the reference is the best available.
    privateKey = null;
  }
}
