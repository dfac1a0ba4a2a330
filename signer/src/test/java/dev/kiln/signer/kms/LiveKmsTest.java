package dev.kiln.signer.kms;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.signer.DigestAlgorithm;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SigningServices;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Signs through real AWS KMS. Runs only when {@code KILN_LIVE_KMS_KEY} names a key reference
 * ({@code awskms:///alias/...} or {@code awskms:///arn:...}) of an RSA_2048 or RSA_4096 SIGN_VERIFY
 * key; credentials and region come from the SDK's default chain ({@code KILN_LIVE_KMS_REGION}
 * overrides the region).
 */
@EnabledIfEnvironmentVariable(named = "KILN_LIVE_KMS_KEY", matches = "awskms:.+")
class LiveKmsTest {

  @Test
  void signsADigestThatVerifiesOverTheMessage() throws Exception {
    KeyOptions options = KeyOptions.defaults();
    String region = System.getenv("KILN_LIVE_KMS_REGION");
    if (region != null && !region.isEmpty()) {
      options = options.withKmsRegion(region);
    }
    byte[] message = "kiln live KMS test".getBytes(StandardCharsets.UTF_8);
    try (KmsSigningService service =
        (KmsSigningService) SigningServices.open(System.getenv("KILN_LIVE_KMS_KEY"), options)) {
      DigestAlgorithm algorithm = service.keySpec().digest();
      byte[] signature = service.signDigest(algorithm, algorithm.digest(message));
      Signature verifier = Signature.getInstance(algorithm.jcaSignatureName());
      verifier.initVerify(service.publicKey());
      verifier.update(message);
      assertTrue(verifier.verify(signature));
      assertTrue(service.lastRequestId().isPresent());
    }
  }
}
