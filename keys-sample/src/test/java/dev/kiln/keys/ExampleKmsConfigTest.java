package dev.kiln.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The example KMS key configuration stays valid JSON and consistent with what Kiln sends. */
class ExampleKmsConfigTest {

  @Test
  void keyIsAnRsa4096SigningKeyAndThePipelineMaySignDigestsOnly() throws Exception {
    JsonNode config = new ObjectMapper().readTree(Path.of("kms/example-key-config.json").toFile());
    assertEquals("RSA_4096", config.at("/createKey/KeySpec").asText());
    assertEquals("SIGN_VERIFY", config.at("/createKey/KeyUsage").asText());
    JsonNode condition = config.at("/signerRolePolicy/Statement/1/Condition/StringEquals");
    assertEquals("RSASSA_PKCS1_V1_5_SHA_512", condition.path("kms:SigningAlgorithm").asText());
    assertEquals("DIGEST", condition.path("kms:MessageType").asText());
    assertTrue(
        config
            .path("kilnSign")
            .asText()
            .contains("awskms:///" + config.at("/alias/AliasName").asText()));
  }
}
