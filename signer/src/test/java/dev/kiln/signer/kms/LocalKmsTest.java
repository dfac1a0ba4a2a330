package dev.kiln.signer.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.keys.SampleKey;
import dev.kiln.testkit.kms.LocalKms;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.CreateKeyResponse;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.MessageType;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;

/**
 * The local KMS stand-in behaves like AWS KMS where Kiln relies on it, driven by the plain AWS SDK
 * v2 client: DIGEST and RAW semantics and limits, algorithm/key checks, SigV4.
 */
class LocalKmsTest {
  private static LocalKms kms;
  private static KmsClient client;
  private static String keyId;
  private static PublicKey publicKey;

  @BeforeAll
  static void start() throws Exception {
    kms = LocalKms.start();
    client =
        KmsClient.builder()
            .region(Region.of(kms.region()))
            .endpointOverride(kms.endpoint())
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(LocalKms.ACCESS_KEY_ID, LocalKms.SECRET_ACCESS_KEY)))
            .build();
    keyId = kms.importKey(SampleKey.RSA_2048.privateKeyPem(), "SIGN_VERIFY");
    publicKey =
        KeyFactory.getInstance("RSA")
            .generatePublic(
                new X509EncodedKeySpec(
                    client.getPublicKey(b -> b.keyId(keyId)).publicKey().asByteArray()));
  }

  @AfterAll
  static void stop() {
    client.close();
    kms.close();
  }

  private static byte[] sign(byte[] message, MessageType type, SigningAlgorithmSpec algorithm) {
    return client
        .sign(
            b ->
                b.keyId(keyId)
                    .message(SdkBytes.fromByteArray(message))
                    .messageType(type)
                    .signingAlgorithm(algorithm))
        .signature()
        .asByteArray();
  }

  private static boolean verifies(String jca, byte[] message, byte[] signature) throws Exception {
    Signature verifier = Signature.getInstance(jca);
    verifier.initVerify(publicKey);
    verifier.update(message);
    return verifier.verify(signature);
  }

  @Test
  void digestSignatureVerifiesOverTheMessageNotOverTheDigest() throws Exception {
    byte[] payload = new byte[1 << 20];
    new Random(1).nextBytes(payload);
    byte[] digest = java.security.MessageDigest.getInstance("SHA-512").digest(payload);
    byte[] signature =
        sign(digest, MessageType.DIGEST, SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_512);
    assertTrue(verifies("SHA512withRSA", payload, signature));
    assertTrue(!verifies("SHA512withRSA", digest, signature));
  }

  @Test
  void rawMessagesUpTo4096BytesAreHashedByKms() throws Exception {
    byte[] message = new byte[4096];
    new Random(2).nextBytes(message);
    byte[] raw = sign(message, MessageType.RAW, SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256);
    assertTrue(verifies("SHA256withRSA", message, raw));
    byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(message);
    assertArrayEquals(
        raw, sign(digest, MessageType.DIGEST, SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256));

    KmsException tooLong =
        assertThrows(
            KmsException.class,
            () ->
                sign(
                    new byte[4097],
                    MessageType.RAW,
                    SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256));
    assertEquals("ValidationException", tooLong.awsErrorDetails().errorCode());
  }

  @Test
  void digestOfTheWrongLengthIsRejected() {
    KmsException e =
        assertThrows(
            KmsException.class,
            () ->
                sign(
                    new byte[32],
                    MessageType.DIGEST,
                    SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_512));
    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
    assertEquals(
        "Digest is invalid length for algorithm RSASSA_PKCS1_V1_5_SHA_512.",
        e.awsErrorDetails().errorMessage());
  }

  @Test
  void ecdsaAlgorithmOnAnRsaKeyIsInvalidKeyUsage() {
    assertThrows(
        InvalidKeyUsageException.class,
        () -> sign(new byte[32], MessageType.DIGEST, SigningAlgorithmSpec.ECDSA_SHA_256));
  }

  @Test
  void createdKeysDescribeLikeAws() {
    CreateKeyResponse created =
        client.createKey(b -> b.keySpec(KeySpec.RSA_2048).keyUsage(KeyUsageType.SIGN_VERIFY));
    String id = created.keyMetadata().keyId();
    var metadata = client.describeKey(b -> b.keyId(id)).keyMetadata();
    assertEquals(KeySpec.RSA_2048, metadata.keySpec());
    assertEquals(
        SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256, metadata.signingAlgorithms().get(0));
    assertTrue(client.listKeys().keys().stream().anyMatch(k -> k.keyId().equals(id)));
    client.createAlias(b -> b.aliasName("alias/created").targetKeyId(id));
    client.disableKey(b -> b.keyId("alias/created"));
    assertEquals("Disabled", client.describeKey(b -> b.keyId(id)).keyMetadata().keyStateAsString());
  }

  @Test
  void unsignedOrTamperedRequestsAreRefused() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest unsigned =
        HttpRequest.newBuilder(URI.create(kms.endpoint() + "/"))
            .header("Content-Type", "application/x-amz-json-1.1")
            .header("X-Amz-Target", "TrentService.ListKeys")
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();
    HttpResponse<String> response = http.send(unsigned, HttpResponse.BodyHandlers.ofString());
    assertEquals(400, response.statusCode());
    assertTrue(response.body().contains("MissingAuthenticationTokenException"), response.body());

    HttpRequest forged =
        HttpRequest.newBuilder(URI.create(kms.endpoint() + "/"))
            .header("Content-Type", "application/x-amz-json-1.1")
            .header("X-Amz-Target", "TrentService.ListKeys")
            .header(
                "X-Amz-Date",
                java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                    .withZone(java.time.ZoneOffset.UTC)
                    .format(java.time.Instant.now()))
            .header(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential="
                    + LocalKms.ACCESS_KEY_ID
                    + "/"
                    + java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString().replace("-", "")
                    + "/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target,"
                    + " Signature="
                    + "0".repeat(64))
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();
    response = http.send(forged, HttpResponse.BodyHandlers.ofString());
    assertEquals(400, response.statusCode());
    assertTrue(response.body().contains("InvalidSignatureException"), response.body());
  }
}
