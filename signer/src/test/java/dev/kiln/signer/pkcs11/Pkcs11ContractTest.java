package dev.kiln.signer.pkcs11;

import dev.kiln.keys.SampleKey;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.SigningServices;
import dev.kiln.signer.keys.SigningServiceContract;
import dev.kiln.testkit.SoftHsmToken;
import org.junit.jupiter.api.BeforeAll;

/**
 * The SigningService contract through SoftHSM2: a signature made on the token is byte-identical to
 * the same key's file signature, for RSA-2048 and RSA-4096.
 */
class Pkcs11ContractTest extends SigningServiceContract {
  private static SoftHsmToken token;

  @BeforeAll
  static void createToken() throws Exception {
    token = SoftHsmToken.create("kiln-contract", SampleKey.RSA_2048, SampleKey.RSA_4096);
  }

  @Override
  protected SigningService open(SampleKey key) throws Exception {
    return SigningServices.open(token.uri(key), KeyOptions.defaults());
  }

  @Override
  protected String expectedBackend() {
    return "pkcs11";
  }
}
