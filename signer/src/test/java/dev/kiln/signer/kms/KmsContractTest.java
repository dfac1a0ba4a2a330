package dev.kiln.signer.kms;

import dev.kiln.keys.SampleKey;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.SigningServices;
import dev.kiln.signer.keys.SigningServiceContract;
import dev.kiln.testkit.kms.LocalKms;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The SigningService contract through AWS KMS (the local stand-in holding the sample keys): the
 * production path, {@code SigningServices.open("awskms:///alias/...")} with credentials from the
 * SDK's default chain (here its system-property source), gives signatures byte-identical to the
 * file signatures of the same keys.
 */
class KmsContractTest extends SigningServiceContract {
  private static LocalKms kms;
  private static AutoCloseable credentials;
  private static final Map<SampleKey, String> ALIASES = new EnumMap<>(SampleKey.class);

  @BeforeAll
  static void startKms() throws Exception {
    kms = LocalKms.start("eu-west-3");
    for (SampleKey key : SampleKey.values()) {
      String keyId = kms.importKey(key.privateKeyPem(), "SIGN_VERIFY");
      String alias = "alias/" + key.baseName();
      kms.createAlias(alias, keyId);
      ALIASES.put(key, alias);
    }
    credentials = LocalKms.useAsDefaultCredentials();
  }

  @AfterAll
  static void stopKms() throws Exception {
    credentials.close();
    kms.close();
  }

  @Override
  protected SigningService open(SampleKey key) throws Exception {
    return SigningServices.open(
        "awskms:///" + ALIASES.get(key),
        KeyOptions.defaults().withKmsRegion(kms.region()).withKmsEndpoint(kms.endpoint()));
  }

  @Override
  protected String expectedBackend() {
    return "awskms";
  }
}
