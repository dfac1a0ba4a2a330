package dev.kiln.signer.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.keys.SampleKey;
import dev.kiln.signer.DigestAlgorithm;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.KeyReference;
import dev.kiln.signer.SigningService;
import dev.kiln.testkit.kms.LocalKms;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.kms.KmsClient;

/** Key checks, call counts, throttling and error reporting of the KMS backend. */
class KmsSigningServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static LocalKms kms;
  private static String rsa4096;
  private static String rsa2048;

  @BeforeAll
  static void startKms() throws Exception {
    kms = LocalKms.start("us-east-2");
    rsa4096 = kms.importKey(SampleKey.RSA_4096.privateKeyPem(), "SIGN_VERIFY");
    rsa2048 = kms.importKey(SampleKey.RSA_2048.privateKeyPem(), "SIGN_VERIFY");
    kms.createAlias("alias/fw-root", rsa4096);
  }

  @AfterAll
  static void stopKms() {
    kms.close();
  }

  private static KeyOptions options() {
    return KeyOptions.defaults().withKmsRegion(kms.region()).withKmsEndpoint(kms.endpoint());
  }

  /** A client as production builds it, but with the stand-in's credentials and 1 ms backoff. */
  private static KmsClient client(
      KeyReference.KmsKey ref, KeyOptions options, String accessKeyId, String secret)
      throws KeyAccessException {
    return KmsClients.create(
        ref,
        options,
        StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secret)),
        BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(1)));
  }

  private static KmsSigningService open(String keyId) throws KeyAccessException {
    return open(keyId, LocalKms.ACCESS_KEY_ID, LocalKms.SECRET_ACCESS_KEY, options());
  }

  private static KmsSigningService open(
      String keyId, String accessKeyId, String secret, KeyOptions options)
      throws KeyAccessException {
    KeyReference.KmsKey ref = (KeyReference.KmsKey) KeyReference.parse("awskms:///" + keyId);
    // The service does not own an injected client; closing it is left to the JVM's end here
    // (the url-connection client holds no threads).
    return KmsSigningService.open(ref, options, client(ref, options, accessKeyId, secret));
  }

  private static List<JsonNode> audit(String eventName) throws Exception {
    List<JsonNode> lines = new java.util.ArrayList<>();
    for (String line : kms.auditLog()) {
      JsonNode node = JSON.readTree(line);
      if (eventName.equals(node.path("eventName").asText())) {
        lines.add(node);
      }
    }
    return lines;
  }

  @Test
  void everyKeyIdFormSignsWithTheSameKey() throws Exception {
    String[] forms = {rsa4096, kms.keyArn(rsa4096), "alias/fw-root", kms.aliasArn("alias/fw-root")};
    byte[] digest = DigestAlgorithm.SHA512.digest(new byte[] {42});
    byte[] first = null;
    for (String form : forms) {
      try (KmsSigningService service = open(form)) {
        assertEquals(kms.keyArn(rsa4096), service.keyArn());
        assertEquals(KmsAlgorithms.RSA_4096, service.keySpec());
        byte[] signature = service.signDigest(DigestAlgorithm.SHA512, digest);
        if (first == null) {
          first = signature;
        }
        assertArrayEquals(first, signature, form);
      }
    }
  }

  @Test
  void describesOnceFetchesThePublicKeyOnceAndSignsDigestsByArn() throws Exception {
    int describes = audit("DescribeKey").size();
    int publicKeys = audit("GetPublicKey").size();
    int signs = audit("Sign").size();
    byte[] digest =
        DigestAlgorithm.SHA512.digest("image".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    try (SigningService service = open("alias/fw-root")) {
      service.publicKey();
      service.publicKey();
      for (int i = 0; i < 3; i++) {
        service.signDigest(DigestAlgorithm.SHA512, digest);
      }
      List<JsonNode> signLines = audit("Sign");
      JsonNode last = signLines.get(signLines.size() - 1);
      assertEquals(service.lastRequestId().orElseThrow(), last.path("requestId").asText());
      assertEquals("DIGEST", last.path("messageType").asText());
      assertEquals("RSASSA_PKCS1_V1_5_SHA_512", last.path("signingAlgorithm").asText());
      assertEquals(kms.keyArn(rsa4096), last.path("keyId").asText());
      assertEquals(
          HexFormat.of()
              .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(digest)),
          last.path("messageSha256").asText());
    }
    assertEquals(describes + 1, audit("DescribeKey").size());
    assertEquals(publicKeys + 1, audit("GetPublicKey").size());
    assertEquals(signs + 3, audit("Sign").size());
  }

  @Test
  void throttledSignsAreRetriedTransparently() throws Exception {
    byte[] digest = DigestAlgorithm.SHA256.digest(new byte[] {7});
    try (SigningService service = open(rsa2048)) {
      byte[] expected = service.signDigest(DigestAlgorithm.SHA256, digest);
      int before = kms.signRequests();
      kms.throttleEverySign(3);
      try {
        for (int i = 0; i < 12; i++) {
          assertArrayEquals(expected, service.signDigest(DigestAlgorithm.SHA256, digest));
        }
      } finally {
        kms.throttleEverySign(0);
      }
      // 12 signatures needed more transmissions than 12: some were throttled and retried.
      assertTrue(kms.signRequests() - before > 12, "throttling was injected and retried");
    }
  }

  @Test
  void throttledBeyondRetriesIsReported() throws Exception {
    try (SigningService service = open(rsa2048)) {
      int before = kms.signRequests();
      kms.throttleEverySign(1);
      KeyAccessException e;
      try {
        e =
            assertThrows(
                KeyAccessException.class,
                () -> service.signDigest(DigestAlgorithm.SHA256, new byte[32]));
      } finally {
        kms.throttleEverySign(0);
      }
      assertEquals(
          "awskms:///"
              + rsa2048
              + ": Sign failed: throttled by KMS after 6 attempts"
              + " (Rate exceeded)",
          e.getMessage());
      assertEquals(KmsClients.MAX_ATTEMPTS, kms.signRequests() - before);
    }
  }

  @Test
  void disabledKeyIsRefusedAtOpenAndAtSign() throws Exception {
    String keyId = kms.importKey(SampleKey.RSA_2048.privateKeyPem(), "SIGN_VERIFY");
    try (SigningService service = open(keyId)) {
      kms.disableKey(keyId);
      KeyAccessException atSign =
          assertThrows(
              KeyAccessException.class,
              () -> service.signDigest(DigestAlgorithm.SHA256, new byte[32]));
      assertEquals(
          "awskms:///"
              + keyId
              + ": Sign failed: the key is disabled ("
              + kms.keyArn(keyId)
              + " is disabled.)",
          atSign.getMessage());
    }
    KeyAccessException atOpen = assertThrows(KeyAccessException.class, () -> open(keyId));
    assertEquals(
        "awskms:///" + keyId + ": the key is not enabled (state Disabled)", atOpen.getMessage());
  }

  @Test
  void encryptionKeyIsRefused() throws Exception {
    String keyId = kms.importKey(SampleKey.RSA_2048.privateKeyPem(), "ENCRYPT_DECRYPT");
    KeyAccessException e = assertThrows(KeyAccessException.class, () -> open(keyId));
    assertEquals(
        "awskms:///" + keyId + ": the key's usage is ENCRYPT_DECRYPT, not SIGN_VERIFY",
        e.getMessage());
  }

  @Test
  void missingKeyAndAliasAreReported() {
    String absent = "0b5c4d1e-0000-4000-8000-000000000000";
    assertEquals(
        "awskms:///"
            + absent
            + ": DescribeKey failed: no such key (Key '"
            + kms.keyArn(absent)
            + "' does not exist)",
        assertThrows(KeyAccessException.class, () -> open(absent)).getMessage());
    assertEquals(
        "awskms:///alias/nope: DescribeKey failed: no such key (Alias "
            + kms.aliasArn("alias/nope")
            + " is not found.)",
        assertThrows(KeyAccessException.class, () -> open("alias/nope")).getMessage());
  }

  @Test
  void deniedCallerIsReported() throws Exception {
    String keyId = kms.importKey(SampleKey.RSA_2048.privateKeyPem(), "SIGN_VERIFY");
    kms.addCredentials("AKIDKILNRESTRICTED01", "restricted-secret");
    kms.denyAccess(keyId, "AKIDKILNRESTRICTED01");
    KeyAccessException e =
        assertThrows(
            KeyAccessException.class,
            () -> open(keyId, "AKIDKILNRESTRICTED01", "restricted-secret", options()));
    assertTrue(
        e.getMessage()
            .startsWith("awskms:///" + keyId + ": DescribeKey failed: access denied (User: "),
        e.getMessage());
    // The same key works for a caller that is allowed.
    try (SigningService service = open(keyId)) {
      assertEquals(256, service.signDigest(DigestAlgorithm.SHA256, new byte[32]).length);
    }
  }

  @Test
  void wrongSecretFailsSigV4AndIsNotRetried() throws Exception {
    int before = audit("DescribeKey").size();
    long refusedBefore =
        kms.auditLog().stream().filter(l -> l.contains("InvalidSignatureException")).count();
    KeyAccessException e =
        assertThrows(
            KeyAccessException.class,
            () -> open(rsa4096, LocalKms.ACCESS_KEY_ID, "wrong-secret", options()));
    assertTrue(
        e.getMessage()
            .startsWith(
                "awskms:///"
                    + rsa4096
                    + ": DescribeKey failed: KMS rejected the credentials"
                    + " (InvalidSignatureException)"),
        e.getMessage());
    assertTrue(!e.getMessage().contains("wrong-secret"));
    // The SDK does not retry a signature mismatch; the failed attempt is logged without an
    // eventName (verification happens first), so no new DescribeKey line appears either.
    assertEquals(before, audit("DescribeKey").size());
    long refused =
        kms.auditLog().stream().filter(l -> l.contains("InvalidSignatureException")).count();
    assertEquals(refusedBefore + 1, refused);
  }

  @Test
  void wrongRegionFailsSigV4() {
    KeyOptions otherRegion = options().withKmsRegion("eu-central-1");
    KeyAccessException e =
        assertThrows(
            KeyAccessException.class,
            () -> open(rsa4096, LocalKms.ACCESS_KEY_ID, LocalKms.SECRET_ACCESS_KEY, otherRegion));
    assertTrue(
        e.getMessage().contains("KMS rejected the credentials (InvalidSignatureException)"),
        e.getMessage());
  }

  @Test
  void keyOfTheWrongSizeIsRefused() {
    KeyAccessException e =
        assertThrows(
            KeyAccessException.class,
            () ->
                open(
                    rsa2048,
                    LocalKms.ACCESS_KEY_ID,
                    LocalKms.SECRET_ACCESS_KEY,
                    options().withRequiredKeyBits(4096)));
    assertEquals(
        "awskms:///" + rsa2048 + ": the key is RSA_2048 but RSA-4096 is required", e.getMessage());
  }

  @Test
  void unreachableEndpointIsAKeyAccessError() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    KeyOptions closed = options().withKmsEndpoint(java.net.URI.create("http://127.0.0.1:" + port));
    KeyAccessException e =
        assertThrows(
            KeyAccessException.class,
            () -> open(rsa4096, LocalKms.ACCESS_KEY_ID, LocalKms.SECRET_ACCESS_KEY, closed));
    assertTrue(
        e.getMessage()
            .startsWith(
                "awskms:///"
                    + rsa4096
                    + ": DescribeKey failed before reaching KMS or without an answer"),
        e.getMessage());
  }

  @Test
  void auditLinesNeverCarryTheDigestItself() throws Exception {
    byte[] digest = DigestAlgorithm.SHA256.digest(new byte[] {9, 9});
    try (SigningService service = open(rsa2048)) {
      service.signDigest(DigestAlgorithm.SHA256, digest);
    }
    String all = kms.auditLog().stream().collect(Collectors.joining("\n"));
    assertTrue(!all.contains(java.util.Base64.getEncoder().encodeToString(digest)));
  }
}
