package dev.kiln.signer.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.keys.SampleKey;
import dev.kiln.signer.DigestAlgorithm;
import dev.kiln.signer.KeyFingerprint;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.SigningServices;
import dev.kiln.signer.kms.testserver.LocalSts;
import dev.kiln.testkit.kms.LocalKms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production client finds web-identity credentials (what a GitHub OIDC role gives a CI job)
 * through the SDK's default chain, which needs the {@code sts} module, and the KMS endpoint
 * override does not redirect STS. The chain is configured through the SDK's system properties (the
 * in-JVM equivalents of AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_ENDPOINT_URL_STS).
 */
// Static keys in the environment come before web identity in the chain.
@DisabledIfEnvironmentVariable(named = "AWS_ACCESS_KEY_ID", matches = ".+")
class KmsWebIdentityTest {
  private static final String[] PROPERTIES = {
    "aws.webIdentityTokenFile",
    "aws.roleArn",
    "aws.roleSessionName",
    "aws.endpointUrlSts",
    "aws.region",
    "aws.accessKeyId",
    "aws.secretAccessKey"
  };

  @TempDir Path dir;

  @Test
  void webIdentityCredentialsSignThroughKms() throws Exception {
    Map<String, String> saved = new HashMap<>();
    for (String name : PROPERTIES) {
      saved.put(name, System.getProperty(name));
      System.clearProperty(name);
    }
    try (LocalKms kms = LocalKms.start("eu-west-1");
        LocalSts sts = LocalSts.start("ASIAKILNWEBIDENTITY1", "web-identity-secret")) {
      kms.addCredentials("ASIAKILNWEBIDENTITY1", "web-identity-secret");
      String keyId = kms.importKey(SampleKey.RSA_4096.privateKeyPem(), "SIGN_VERIFY");
      Path token = dir.resolve("oidc-token");
      Files.writeString(token, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvIn0.c2lnbmF0dXJl");
      System.setProperty("aws.webIdentityTokenFile", token.toString());
      System.setProperty("aws.roleArn", "arn:aws:iam::111122223333:role/kiln-release-signer");
      System.setProperty("aws.roleSessionName", "ci");
      System.setProperty("aws.endpointUrlSts", sts.endpoint().toString());
      System.setProperty("aws.region", "eu-west-1");

      try (SigningService service =
          SigningServices.open(
              "awskms:///" + kms.keyArn(keyId),
              KeyOptions.defaults().withKmsEndpoint(kms.endpoint()))) {
        assertEquals(SampleKey.RSA_4096.fingerprint(), KeyFingerprint.of(service.publicKey()));
        assertEquals(512, service.signDigest(DigestAlgorithm.SHA512, new byte[64]).length);
      }
      assertTrue(
          sts.requests().stream()
              .anyMatch(
                  r ->
                      "AssumeRoleWithWebIdentity".equals(r.get("Action"))
                          && r.get("RoleArn").endsWith(":role/kiln-release-signer")),
          "the SDK must have assumed the role through the local STS: " + sts.requests());
      assertTrue(
          kms.auditLog().stream().allMatch(line -> line.contains("ASIAKILNWEBIDENTITY1")),
          "every KMS call must be made with the web-identity credentials");
    } finally {
      for (String name : PROPERTIES) {
        String value = saved.get(name);
        if (Objects.isNull(value)) {
          System.clearProperty(name);
        } else {
          System.setProperty(name, value);
        }
      }
    }
  }
}
