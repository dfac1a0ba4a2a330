package dev.kiln.signer.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.keys.SampleKey;
import dev.kiln.signer.DigestAlgorithm;
import dev.kiln.signer.KeyFingerprint;
import dev.kiln.signer.SigningService;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every {@link SigningService} backend meets, run against each backend by a subclass:
 * signatures verify with plain JCA over the original message, and are byte-identical to the JDK's
 * own {@code SHAxxxwithRSA} signature with the same key read straight from the sample PEM (PKCS#1
 * v1.5 is deterministic, so any difference is a bug).
 */
public abstract class SigningServiceContract {

  /** Opens the backend's copy of {@code key}. */
  protected abstract SigningService open(SampleKey key) throws Exception;

  /** The backend name the service must report. */
  protected abstract String expectedBackend();

  static Stream<Arguments> keysAndDigests() {
    return Stream.of(
        Arguments.of(SampleKey.RSA_2048, DigestAlgorithm.SHA256),
        Arguments.of(SampleKey.RSA_4096, DigestAlgorithm.SHA512),
        Arguments.of(SampleKey.RSA_4096, DigestAlgorithm.SHA256),
        Arguments.of(SampleKey.RSA_2048, DigestAlgorithm.SHA512));
  }

  /** The reference signature: the JDK signing the message with the key parsed independently. */
  protected static byte[] referenceSignature(
      SampleKey key, DigestAlgorithm algorithm, byte[] message) throws Exception {
    String base64 =
        key.privateKeyPem()
            .lines()
            .filter(l -> !l.startsWith("-----"))
            .collect(Collectors.joining());
    PrivateKey privateKey =
        KeyFactory.getInstance("RSA")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    Signature signature = Signature.getInstance(algorithm.jcaSignatureName());
    signature.initSign(privateKey);
    signature.update(message);
    return signature.sign();
  }

  protected static byte[] message(int seed) {
    byte[] message = new byte[64 * 1024 + seed];
    new Random(seed).nextBytes(message);
    return message;
  }

  @ParameterizedTest
  @MethodSource("keysAndDigests")
  void signatureVerifiesOverTheMessageAndMatchesTheFileSignature(
      SampleKey key, DigestAlgorithm algorithm) throws Exception {
    byte[] message = message(key.bits() + algorithm.digestLength());
    try (SigningService service = open(key)) {
      byte[] signature = service.signDigest(algorithm, algorithm.digest(message));
      assertEquals(key.bits() / 8, signature.length);

      Signature verifier = Signature.getInstance(algorithm.jcaSignatureName());
      verifier.initVerify(service.publicKey());
      verifier.update(message);
      assertTrue(verifier.verify(signature), "signature must verify over the original message");

      assertArrayEquals(referenceSignature(key, algorithm, message), signature);
    }
  }

  @Test
  void publicKeyIsTheSampleKeysPublicKeyAndIsCached() throws Exception {
    for (SampleKey key : SampleKey.values()) {
      try (SigningService service = open(key)) {
        assertEquals(key.fingerprint(), KeyFingerprint.of(service.publicKey()));
        assertEquals(key.bits(), service.publicKey().getModulus().bitLength());
        assertTrue(service.publicKey() == service.publicKey(), "public key must be cached");
      }
    }
  }

  @Test
  void twoSignaturesOfTheSameDigestAreIdentical() throws Exception {
    byte[] digest = DigestAlgorithm.SHA512.digest("same".getBytes(StandardCharsets.UTF_8));
    try (SigningService service = open(SampleKey.RSA_4096)) {
      assertArrayEquals(
          service.signDigest(DigestAlgorithm.SHA512, digest),
          service.signDigest(DigestAlgorithm.SHA512, digest));
    }
  }

  @Test
  void digestOfTheWrongLengthIsRefusedBeforeSigning() throws Exception {
    try (SigningService service = open(SampleKey.RSA_2048)) {
      assertThrows(
          IllegalArgumentException.class,
          () -> service.signDigest(DigestAlgorithm.SHA512, new byte[32]));
      assertThrows(
          IllegalArgumentException.class,
          () -> service.signDigest(DigestAlgorithm.SHA256, new byte[64]));
    }
  }

  @Test
  void describesItselfWithoutSecrets() throws Exception {
    try (SigningService service = open(SampleKey.RSA_2048)) {
      assertEquals(expectedBackend(), service.backend());
      assertFalse(service.describe().isEmpty());
      assertFalse(service.describe().contains("pin-value"));
      service.signDigest(DigestAlgorithm.SHA256, new byte[32]);
      // Only KMS has request ids; the audit log records them.
      assertEquals(expectedBackend().equals("awskms"), service.lastRequestId().isPresent());
    }
  }
}
