package dev.kiln.signer.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.signer.DigestAlgorithm;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;

/** One test per key spec of the KMS algorithm table. */
class KmsAlgorithmsTest {

  @Test
  void rsa2048SignsWithPkcs1Sha256() {
    KmsAlgorithms row = KmsAlgorithms.forKeySpec(KeySpec.RSA_2048.toString()).orElseThrow();
    assertEquals(2048, row.modulusBits());
    assertEquals(DigestAlgorithm.SHA256, row.digest());
    assertEquals(SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256, row.signingAlgorithm());
  }

  @Test
  void rsa4096SignsWithPkcs1Sha512() {
    KmsAlgorithms row = KmsAlgorithms.forKeySpec(KeySpec.RSA_4096.toString()).orElseThrow();
    assertEquals(4096, row.modulusBits());
    assertEquals(DigestAlgorithm.SHA512, row.digest());
    assertEquals(SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_512, row.signingAlgorithm());
  }

  @Test
  void otherKeySpecsAreNotSupported() {
    for (KeySpec spec : KeySpec.values()) {
      if (spec != KeySpec.RSA_2048 && spec != KeySpec.RSA_4096) {
        assertTrue(KmsAlgorithms.forKeySpec(spec.toString()).isEmpty(), spec.toString());
      }
    }
  }

  @Test
  void everyDigestHasAPkcs1Algorithm() {
    assertEquals(
        SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256,
        KmsAlgorithms.signingAlgorithm(DigestAlgorithm.SHA256));
    assertEquals(
        SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_512,
        KmsAlgorithms.signingAlgorithm(DigestAlgorithm.SHA512));
  }
}
