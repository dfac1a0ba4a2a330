package dev.kiln.signer.kms;

import dev.kiln.signer.DigestAlgorithm;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.KeyReference;
import dev.kiln.signer.SigningService;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Optional;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DescribeKeyResponse;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.GetPublicKeyResponse;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.MessageType;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.SignResponse;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;

/**
 * A key in AWS KMS ({@code awskms:} references), through the AWS SDK v2.
 *
 * <p>Opening calls DescribeKey once and refuses a key that is not {@code SIGN_VERIFY}, not {@code
 * Enabled}, or not an RSA key spec from {@link KmsAlgorithms} (of the required size, when one is
 * required). Every later call addresses the key by the ARN DescribeKey returned, so an alias that
 * moves during a run cannot switch keys between the public key and the signatures.
 *
 * <p>The public key comes from GetPublicKey, once, then cached. Signing sends the caller's digest
 * with {@code MessageType=DIGEST} and the signing algorithm named explicitly ({@link
 * KmsAlgorithms#signingAlgorithm(DigestAlgorithm)}); the image never leaves the machine, and the
 * KMS 4096-byte message limit never applies. Throttling is retried by the client's retry policy
 * ({@link KmsClients}); what is still throttled after that is reported.
 *
 * @see <a href="https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html">KMS Sign</a>
 */
public final class KmsSigningService implements SigningService {
  private final KeyReference.KmsKey reference;
  private final KmsClient client;
  private final boolean ownsClient;
  private final KeyMetadata metadata;
  private RSAPublicKey publicKey;
  private String lastRequestId;

  private KmsSigningService(
      KeyReference.KmsKey reference, KmsClient client, boolean ownsClient, KeyMetadata metadata) {
    this.reference = reference;
    this.client = client;
    this.ownsClient = ownsClient;
    this.metadata = metadata;
  }

  /**
   * Builds a client (see {@link KmsClients#create(KeyReference.KmsKey, KeyOptions)}) and checks the
   * key. The service closes the client.
   */
  public static KmsSigningService open(KeyReference.KmsKey reference, KeyOptions options)
      throws KeyAccessException {
    KmsClient client = KmsClients.create(reference, options);
    try {
      return open(reference, options, client, true);
    } catch (KeyAccessException | RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /**
   * Checks the key through an existing client, which the caller keeps and closes.
   *
   * @throws KeyAccessException if the key is missing, disabled, not for signing, not RSA-2048 or
   *     RSA-4096, of another size than required, or KMS refuses access
   */
  public static KmsSigningService open(
      KeyReference.KmsKey reference, KeyOptions options, KmsClient client)
      throws KeyAccessException {
    return open(reference, options, client, false);
  }

  private static KmsSigningService open(
      KeyReference.KmsKey reference, KeyOptions options, KmsClient client, boolean owns)
      throws KeyAccessException {
    DescribeKeyResponse described;
    try {
      described = client.describeKey(b -> b.keyId(reference.keyId()));
    } catch (SdkException e) {
      throw failure(reference, "DescribeKey", e);
    }
    KeyMetadata metadata = described.keyMetadata();
    if (metadata.keyUsage() != KeyUsageType.SIGN_VERIFY) {
      throw new KeyAccessException(
          reference + ": the key's usage is " + metadata.keyUsageAsString() + ", not SIGN_VERIFY");
    }
    if (metadata.keyState() != KeyState.ENABLED) {
      throw new KeyAccessException(
          reference + ": the key is not enabled (state " + metadata.keyStateAsString() + ")");
    }
    KmsAlgorithms row =
        KmsAlgorithms.forKeySpec(metadata.keySpecAsString())
            .orElseThrow(
                () ->
                    new KeyAccessException(
                        reference
                            + ": key spec "
                            + metadata.keySpecAsString()
                            + " is not supported (RSA_2048 or RSA_4096)"));
    if (options.requiredKeyBits() != 0 && row.modulusBits() != options.requiredKeyBits()) {
      throw new KeyAccessException(
          reference
              + ": the key is "
              + row.keySpec()
              + " but RSA-"
              + options.requiredKeyBits()
              + " is required");
    }
    return new KmsSigningService(reference, client, owns, metadata);
  }

  /** The key's ARN, as DescribeKey returned it (aliases resolved). */
  public String keyArn() {
    return metadata.arn();
  }

  /** The key spec from the table, e.g. {@link KmsAlgorithms#RSA_4096}. */
  public KmsAlgorithms keySpec() {
    return KmsAlgorithms.forKeySpec(metadata.keySpecAsString()).orElseThrow();
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
  public synchronized RSAPublicKey publicKey() throws KeyAccessException {
    if (publicKey == null) {
      GetPublicKeyResponse response;
      try {
        response = client.getPublicKey(b -> b.keyId(metadata.arn()));
      } catch (SdkException e) {
        throw failure(reference, "GetPublicKey", e);
      }
      try {
        PublicKey key =
            KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(response.publicKey().asByteArray()));
        if (!(key instanceof RSAPublicKey rsa)) {
          throw new KeyAccessException(reference + ": GetPublicKey returned a non-RSA key");
        }
        if (rsa.getModulus().bitLength() != keySpec().modulusBits()) {
          throw new KeyAccessException(
              reference
                  + ": GetPublicKey returned an RSA-"
                  + rsa.getModulus().bitLength()
                  + " key for a "
                  + keySpec().keySpec()
                  + " key");
        }
        publicKey = rsa;
      } catch (GeneralSecurityException e) {
        throw new KeyAccessException(reference + ": GetPublicKey returned an unreadable key", e);
      }
    }
    return publicKey;
  }

  @Override
  public synchronized byte[] signDigest(DigestAlgorithm algorithm, byte[] digest)
      throws KeyAccessException {
    algorithm.checkDigestLength(digest);
    SigningAlgorithmSpec signingAlgorithm = KmsAlgorithms.signingAlgorithm(algorithm);
    if (!metadata.signingAlgorithms().contains(signingAlgorithm)) {
      throw new KeyAccessException(
          reference
              + ": the key does not offer "
              + signingAlgorithm
              + " (it offers "
              + metadata.signingAlgorithmsAsStrings()
              + ")");
    }
    SignResponse response;
    try {
      response =
          client.sign(
              b ->
                  b.keyId(metadata.arn())
                      .message(SdkBytes.fromByteArray(digest))
                      .messageType(MessageType.DIGEST)
                      .signingAlgorithm(signingAlgorithm));
    } catch (SdkException e) {
      throw failure(reference, "Sign", e);
    }
    lastRequestId = response.responseMetadata().requestId();
    if (response.signingAlgorithm() != signingAlgorithm) {
      throw new KeyAccessException(
          reference
              + ": KMS signed with "
              + response.signingAlgorithmAsString()
              + ", not "
              + signingAlgorithm);
    }
    return response.signature().asByteArray();
  }

  @Override
  public synchronized Optional<String> lastRequestId() {
    return Optional.ofNullable(lastRequestId);
  }

  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }

  /** Turns an SDK failure into a message that names the key reference and the cause. */
  static KeyAccessException failure(KeyReference.KmsKey reference, String call, SdkException e) {
    String prefix = reference + ": " + call + " ";
    String detail;
    if (e instanceof NotFoundException) {
      detail = "failed: no such key";
    } else if (e instanceof DisabledException) {
      detail = "failed: the key is disabled";
    } else if (e instanceof KmsInvalidStateException) {
      detail = "failed: the key's state does not allow it";
    } else if (e instanceof InvalidKeyUsageException) {
      detail = "failed: the key is not usable for this (wrong key usage or algorithm)";
    } else if (e instanceof KmsException kms && kms.awsErrorDetails() != null) {
      String code = kms.awsErrorDetails().errorCode();
      detail =
          switch (code == null ? "" : code) {
            case "AccessDeniedException" -> "failed: access denied";
            case "ThrottlingException" ->
                "failed: throttled by KMS after " + KmsClients.MAX_ATTEMPTS + " attempts";
            case "UnrecognizedClientException",
                    "InvalidSignatureException",
                    "ExpiredTokenException",
                    "IncompleteSignatureException" ->
                "failed: KMS rejected the credentials (" + code + ")";
            default -> "failed: " + code;
          };
    } else if (e instanceof SdkClientException) {
      detail = "failed before reaching KMS or without an answer";
    } else {
      detail = "failed";
    }
    String message =
        e instanceof KmsException kms && kms.awsErrorDetails() != null
            ? kms.awsErrorDetails().errorMessage()
            : e.getMessage();
    return new KeyAccessException(
        prefix + detail + (message == null || message.isEmpty() ? "" : " (" + message + ")"), e);
  }
}
