package dev.kiln.testkit.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.testkit.kms.SigV4Verifier.FailureException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A local stand-in for the AWS KMS API, faithful where Kiln depends on it, for tests: the AWS SDK
 * v2 talks to it unchanged through {@code endpointOverride}.
 *
 * <p>What it reproduces (docs/key-references.md lists it too):
 *
 * <ul>
 *   <li>the JSON 1.1 protocol: {@code POST /}, {@code X-Amz-Target: TrentService.Op}, errors as
 *       HTTP 400 {@code {"__type": ..., "message": ...}}, a request id in {@code x-amzn-RequestId};
 *   <li>operations CreateKey, CreateAlias, DescribeKey, GetPublicKey, Sign, DisableKey, EnableKey,
 *       ListKeys, ListAliases; keys addressed by id, key ARN, {@code alias/NAME} or alias ARN;
 *   <li>SigV4 verification of every request (a wrong secret, an unknown access key, another region
 *       or a stale date fails like the real service);
 *   <li>Sign: RAW messages of 1 to 4096 bytes (hashed here) or DIGEST messages whose length must
 *       equal the algorithm's hash length; RSASSA-PKCS1-v1_5 with SHA-256/384/512;
 *       DisabledException, InvalidKeyUsageException for keys not made for signing,
 *       AccessDeniedException for a caller denied the key, ThrottlingException injection.
 * </ul>
 *
 * <p>Not reproduced: RSASSA-PSS and ECC/other key specs (refused with a clear
 * UnsupportedOperationException error), key policies beyond the per-caller deny list, grants,
 * pagination, quotas other than the injected throttling.
 *
 * <p>Keys can be imported from PEM, so a signature from here can be compared byte-for-byte with a
 * file signature of the same key. Depends on the JDK and Jackson only.
 */
public final class LocalKms implements AutoCloseable {
  /** The account id in every ARN. */
  public static final String ACCOUNT = "111122223333";

  /** Credentials accepted out of the box (more with {@link #addCredentials}). */
  public static final String ACCESS_KEY_ID = "AKIDKILNLOCALKMS0001";

  public static final String SECRET_ACCESS_KEY = "local-kms-secret-NOT-FOR-PRODUCTION";

  private static final int MAX_RAW_MESSAGE = 4096;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;
  private final String region;
  private final Map<String, String> secrets = new ConcurrentHashMap<>();
  private final Map<String, KmsKey> keys = new ConcurrentHashMap<>();
  private final Map<String, String> aliases = new ConcurrentHashMap<>();
  private final List<String> auditLog = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger signRequests = new AtomicInteger();
  private volatile int throttleEvery;

  /** One key: its metadata, key pair and the callers denied its use. */
  private static final class KmsKey {
    final String keyId;
    final String arn;
    final String keySpec;
    final String keyUsage;
    final String origin;
    final KeyPair keyPair;
    final double creationDate = Instant.now().getEpochSecond();
    final Set<String> deniedAccessKeys = ConcurrentHashMap.newKeySet();
    volatile boolean enabled = true;

    KmsKey(String keyId, String arn, String keySpec, String keyUsage, String origin, KeyPair pair) {
      this.keyId = keyId;
      this.arn = arn;
      this.keySpec = keySpec;
      this.keyUsage = keyUsage;
      this.origin = origin;
      this.keyPair = pair;
    }
  }

  private LocalKms(HttpServer server, ExecutorService executor, String region) {
    this.server = server;
    this.executor = executor;
    this.region = region;
    secrets.put(ACCESS_KEY_ID, SECRET_ACCESS_KEY);
  }

  /** Starts a server on 127.0.0.1, on a free port, serving {@code region}. */
  public static LocalKms start(String region) throws IOException {
    // Without TCP_NODELAY the JDK server and the client's delayed ACK add ~40 ms per call.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService executor =
        Executors.newFixedThreadPool(
            4,
            runnable -> {
              Thread thread = new Thread(runnable, "local-kms");
              thread.setDaemon(true);
              return thread;
            });
    LocalKms kms = new LocalKms(server, executor, region);
    server.createContext("/", kms::handle);
    server.setExecutor(executor);
    server.start();
    return kms;
  }

  /** Starts a server for {@code us-east-1}. */
  public static LocalKms start() throws IOException {
    return start("us-east-1");
  }

  /** {@code http://127.0.0.1:PORT}, for the SDK's {@code endpointOverride}. */
  public URI endpoint() {
    return URI.create(
        "http://"
            + server.getAddress().getAddress().getHostAddress()
            + ":"
            + server.getAddress().getPort());
  }

  public String region() {
    return region;
  }

  /**
   * Makes this endpoint's default credentials the ones the AWS SDK's default chain finds first (the
   * {@code aws.accessKeyId} / {@code aws.secretAccessKey} system properties), so code that builds
   * its own client, such as {@code kiln sign --key awskms:///... --kms-endpoint URL} run
   * in-process, can talk to this stand-in. Closing the result restores the previous values.
   */
  public static AutoCloseable useAsDefaultCredentials() {
    String previousId = System.getProperty("aws.accessKeyId");
    String previousSecret = System.getProperty("aws.secretAccessKey");
    System.setProperty("aws.accessKeyId", ACCESS_KEY_ID);
    System.setProperty("aws.secretAccessKey", SECRET_ACCESS_KEY);
    return () -> {
      restoreProperty("aws.accessKeyId", previousId);
      restoreProperty("aws.secretAccessKey", previousSecret);
    };
  }

  private static void restoreProperty(String name, String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }

  /** Accepts another access key id / secret pair. */
  public void addCredentials(String accessKeyId, String secretAccessKey) {
    secrets.put(accessKeyId, secretAccessKey);
  }

  /**
   * Creates a key with a fresh RSA key pair ({@code RSA_2048}, {@code RSA_3072}, {@code RSA_4096}).
   */
  public String createKey(String keySpec, String keyUsage) {
    return addKey(keySpec, keyUsage, "AWS_KMS", generate(keySpec));
  }

  /**
   * Imports an RSA private key (PKCS#8 PEM) as a KMS key of the matching RSA_* spec, so its
   * signatures can be compared with file signatures. Real KMS cannot import asymmetric signing
   * keys; this exists for tests only.
   */
  public String importKey(String pkcs8Pem, String keyUsage) {
    try {
      String base64 =
          pkcs8Pem.lines().filter(l -> !l.startsWith("-----")).collect(Collectors.joining());
      KeyFactory factory = KeyFactory.getInstance("RSA");
      RSAPrivateCrtKey privateKey =
          (RSAPrivateCrtKey)
              factory.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
      PublicKey publicKey =
          factory.generatePublic(
              new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent()));
      String spec = "RSA_" + privateKey.getModulus().bitLength();
      return addKey(spec, keyUsage, "EXTERNAL", new KeyPair(publicKey, privateKey));
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new IllegalArgumentException("not an RSA PKCS#8 private key", e);
    }
  }

  private String addKey(String keySpec, String keyUsage, String origin, KeyPair pair) {
    if (!keyUsage.equals("SIGN_VERIFY") && !keyUsage.equals("ENCRYPT_DECRYPT")) {
      throw new IllegalArgumentException("key usage " + keyUsage);
    }
    String keyId = UUID.randomUUID().toString();
    keys.put(keyId, new KmsKey(keyId, keyArn(keyId), keySpec, keyUsage, origin, pair));
    return keyId;
  }

  private static KeyPair generate(String keySpec) {
    int bits =
        switch (keySpec) {
          case "RSA_2048" -> 2048;
          case "RSA_3072" -> 3072;
          case "RSA_4096" -> 4096;
          default ->
              throw new IllegalArgumentException(
                  "this stand-in supports RSA_2048, RSA_3072 and RSA_4096 only, not " + keySpec);
        };
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The ARN of a key id. */
  public String keyArn(String keyId) {
    return "arn:aws:kms:" + region + ":" + ACCOUNT + ":key/" + keyId;
  }

  /** The ARN of an alias name ({@code alias/NAME}). */
  public String aliasArn(String aliasName) {
    return "arn:aws:kms:" + region + ":" + ACCOUNT + ":" + aliasName;
  }

  /** Points {@code alias/NAME} at a key. */
  public void createAlias(String aliasName, String keyId) {
    if (!aliasName.startsWith("alias/") || aliasName.startsWith("alias/aws/")) {
      throw new IllegalArgumentException("alias names start with alias/ (not alias/aws/)");
    }
    aliases.put(aliasName, keyId);
  }

  public void disableKey(String keyId) {
    keys.get(keyId).enabled = false;
  }

  public void enableKey(String keyId) {
    keys.get(keyId).enabled = true;
  }

  /** Refuses every operation on {@code keyId} by {@code accessKeyId} with AccessDeniedException. */
  public void denyAccess(String keyId, String accessKeyId) {
    keys.get(keyId).deniedAccessKeys.add(accessKeyId);
  }

  /** Answers every {@code n}th Sign request with ThrottlingException (1: all of them, 0: none). */
  public void throttleEverySign(int n) {
    throttleEvery = n;
  }

  /** Sign requests received (including throttled and refused ones). */
  public int signRequests() {
    return signRequests.get();
  }

  /**
   * One JSON line per request, shaped like a CloudTrail record: eventName, accessKeyId, keyId,
   * signingAlgorithm, messageType, the SHA-256 of the message, requestId and errorCode.
   */
  public List<String> auditLog() {
    synchronized (auditLog) {
      return List.copyOf(auditLog);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  // ---------------------------------------------------------------------------------------------
  // Protocol

  private void handle(HttpExchange exchange) throws IOException {
    String requestId = UUID.randomUUID().toString();
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    ObjectNode audit = JSON.createObjectNode();
    audit.put("requestId", requestId);
    int status = 200;
    JsonNode response;
    try {
      if (!exchange.getRequestMethod().equals("POST")) {
        throw new FailureException("UnknownOperationException", "POST only");
      }
      String accessKeyId =
          SigV4Verifier.verify(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getRawPath(),
              exchange.getRequestURI().getRawQuery() == null
                  ? ""
                  : exchange.getRequestURI().getRawQuery(),
              name -> exchange.getRequestHeaders().get(name),
              body,
              region,
              secrets);
      audit.put("accessKeyId", accessKeyId);
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      if (target == null || !target.startsWith("TrentService.")) {
        throw new FailureException("UnknownOperationException", "X-Amz-Target missing");
      }
      String operation = target.substring("TrentService.".length());
      audit.put("eventName", operation);
      JsonNode request;
      try {
        request = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
      } catch (IOException e) {
        throw new FailureException("SerializationException", "request body is not JSON");
      }
      response = dispatch(operation, request, accessKeyId, audit);
    } catch (FailureException e) {
      status = 400;
      ObjectNode error = JSON.createObjectNode();
      error.put("__type", e.type());
      error.put("message", e.getMessage());
      response = error;
      audit.put("errorCode", e.type());
    } catch (RuntimeException e) {
      status = 500;
      ObjectNode error = JSON.createObjectNode();
      error.put("__type", "KMSInternalException");
      error.put("message", String.valueOf(e));
      response = error;
      audit.put("errorCode", "KMSInternalException");
    }
    auditLog.add(JSON.writeValueAsString(audit));
    byte[] out = JSON.writeValueAsBytes(response);
    exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
    exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
    exchange.sendResponseHeaders(status, out.length);
    try (OutputStream stream = exchange.getResponseBody()) {
      stream.write(out);
    }
  }

  private JsonNode dispatch(String operation, JsonNode request, String caller, ObjectNode audit)
      throws FailureException {
    switch (operation) {
      case "CreateKey" -> {
        String spec = text(request, "KeySpec", "SYMMETRIC_DEFAULT");
        String usage = text(request, "KeyUsage", "ENCRYPT_DECRYPT");
        if (!spec.startsWith("RSA_")) {
          throw unsupported("key spec " + spec);
        }
        try {
          String keyId = createKey(spec, usage);
          ObjectNode result = JSON.createObjectNode();
          result.set("KeyMetadata", metadata(keys.get(keyId)));
          return result;
        } catch (IllegalArgumentException e) {
          throw new FailureException("ValidationException", e.getMessage());
        }
      }
      case "CreateAlias" -> {
        KmsKey key = resolve(text(request, "TargetKeyId", null), caller, audit);
        String alias = text(request, "AliasName", "");
        if (aliases.containsKey(alias)) {
          throw new FailureException(
              "AlreadyExistsException",
              "An alias with the name " + aliasArn(alias) + " already exists");
        }
        try {
          createAlias(alias, key.keyId);
        } catch (IllegalArgumentException e) {
          throw new FailureException("ValidationException", e.getMessage());
        }
        return JSON.createObjectNode();
      }
      case "DescribeKey" -> {
        ObjectNode result = JSON.createObjectNode();
        result.set("KeyMetadata", metadata(resolve(text(request, "KeyId", null), caller, audit)));
        return result;
      }
      case "GetPublicKey" -> {
        KmsKey key = resolve(text(request, "KeyId", null), caller, audit);
        requireEnabled(key);
        ObjectNode result = JSON.createObjectNode();
        result.put("KeyId", key.arn);
        result.put(
            "PublicKey", Base64.getEncoder().encodeToString(key.keyPair.getPublic().getEncoded()));
        result.put("CustomerMasterKeySpec", key.keySpec);
        result.put("KeySpec", key.keySpec);
        result.put("KeyUsage", key.keyUsage);
        algorithms(key, result);
        return result;
      }
      case "Sign" -> {
        return sign(request, caller, audit);
      }
      case "DisableKey", "EnableKey" -> {
        KmsKey key = resolve(text(request, "KeyId", null), caller, audit);
        key.enabled = operation.equals("EnableKey");
        return JSON.createObjectNode();
      }
      case "ListKeys" -> {
        ObjectNode result = JSON.createObjectNode();
        ArrayNode list = result.putArray("Keys");
        for (KmsKey key : keys.values()) {
          list.addObject().put("KeyId", key.keyId).put("KeyArn", key.arn);
        }
        result.put("Truncated", false);
        return result;
      }
      case "ListAliases" -> {
        ObjectNode result = JSON.createObjectNode();
        ArrayNode list = result.putArray("Aliases");
        for (Map.Entry<String, String> alias : aliases.entrySet()) {
          list.addObject()
              .put("AliasName", alias.getKey())
              .put("AliasArn", aliasArn(alias.getKey()))
              .put("TargetKeyId", alias.getValue());
        }
        result.put("Truncated", false);
        return result;
      }
      default ->
          throw new FailureException(
              "UnknownOperationException", "operation " + operation + " is not supported here");
    }
  }

  private JsonNode sign(JsonNode request, String caller, ObjectNode audit) throws FailureException {
    int count = signRequests.incrementAndGet();
    int every = throttleEvery;
    if (every > 0 && count % every == 0) {
      throw new FailureException("ThrottlingException", "Rate exceeded");
    }
    KmsKey key = resolve(text(request, "KeyId", null), caller, audit);
    requireEnabled(key);
    if (!key.keyUsage.equals("SIGN_VERIFY")) {
      throw new FailureException(
          "InvalidKeyUsageException",
          "You cannot perform this operation because the KeyUsage of "
              + key.arn
              + " is "
              + key.keyUsage
              + ".");
    }
    String algorithm = text(request, "SigningAlgorithm", null);
    String messageType = text(request, "MessageType", "RAW");
    audit.put("signingAlgorithm", algorithm);
    audit.put("messageType", messageType);
    String hash;
    byte[] digestInfoPrefix;
    switch (algorithm == null ? "" : algorithm) {
      case "RSASSA_PKCS1_V1_5_SHA_256" -> {
        hash = "SHA-256";
        digestInfoPrefix = HexFormat.of().parseHex("3031300d060960864801650304020105000420");
      }
      case "RSASSA_PKCS1_V1_5_SHA_384" -> {
        hash = "SHA-384";
        digestInfoPrefix = HexFormat.of().parseHex("3041300d060960864801650304020205000430");
      }
      case "RSASSA_PKCS1_V1_5_SHA_512" -> {
        hash = "SHA-512";
        digestInfoPrefix = HexFormat.of().parseHex("3051300d060960864801650304020305000440");
      }
      case "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512" ->
          throw unsupported("signing algorithm " + algorithm);
      default ->
          throw new FailureException(
              "InvalidKeyUsageException",
              "Signing algorithm " + algorithm + " is not valid for " + key.arn + ".");
    }
    JsonNode messageNode = request.get("Message");
    if (messageNode == null || !messageNode.isTextual()) {
      throw new FailureException("ValidationException", "Message is required");
    }
    byte[] message;
    try {
      message = Base64.getDecoder().decode(messageNode.asText());
    } catch (IllegalArgumentException e) {
      throw new FailureException("SerializationException", "Message is not base64");
    }
    audit.put("messageSha256", SigV4Verifier.hex(SigV4Verifier.sha256(message)));
    MessageDigest digester;
    try {
      digester = MessageDigest.getInstance(hash);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    byte[] digest;
    switch (messageType) {
      case "RAW" -> {
        if (message.length < 1 || message.length > MAX_RAW_MESSAGE) {
          throw new FailureException(
              "ValidationException",
              "1 validation error detected: Value at 'message' failed to satisfy constraint:"
                  + " Member must have length less than or equal to "
                  + MAX_RAW_MESSAGE);
        }
        digest = digester.digest(message);
      }
      case "DIGEST" -> {
        if (message.length != digester.getDigestLength()) {
          throw new FailureException(
              "ValidationException", "Digest is invalid length for algorithm " + algorithm + ".");
        }
        digest = message;
      }
      default ->
          throw new FailureException(
              "ValidationException", "MessageType " + messageType + " is not valid");
    }
    byte[] signature;
    try {
      Signature rsa = Signature.getInstance("NONEwithRSA");
      rsa.initSign(key.keyPair.getPrivate());
      rsa.update(digestInfoPrefix);
      rsa.update(digest);
      signature = rsa.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    ObjectNode result = JSON.createObjectNode();
    result.put("KeyId", key.arn);
    result.put("Signature", Base64.getEncoder().encodeToString(signature));
    result.put("SigningAlgorithm", algorithm);
    return result;
  }

  private static FailureException unsupported(String what) {
    return new FailureException(
        "UnsupportedOperationException", "the local KMS stand-in does not implement " + what);
  }

  private KmsKey resolve(String keyId, String caller, ObjectNode audit) throws FailureException {
    if (keyId == null || keyId.isEmpty()) {
      throw new FailureException("ValidationException", "KeyId is required");
    }
    audit.put("keyId", keyId);
    String id = keyId;
    String aliasPrefix = "arn:aws:kms:" + region + ":" + ACCOUNT + ":alias/";
    String keyPrefix = "arn:aws:kms:" + region + ":" + ACCOUNT + ":key/";
    if (id.startsWith(aliasPrefix)) {
      id = "alias/" + id.substring(aliasPrefix.length());
    }
    if (id.startsWith("alias/")) {
      String target = aliases.get(id);
      if (target == null) {
        throw new FailureException("NotFoundException", "Alias " + aliasArn(id) + " is not found.");
      }
      id = target;
    } else if (id.startsWith(keyPrefix)) {
      id = id.substring(keyPrefix.length());
    } else if (id.startsWith("arn:")) {
      throw new FailureException(
          "NotFoundException", "Invalid arn " + region + " (this endpoint serves " + region + ")");
    }
    KmsKey key = keys.get(id);
    if (key == null) {
      throw new FailureException("NotFoundException", "Key '" + keyArn(id) + "' does not exist");
    }
    if (key.deniedAccessKeys.contains(caller)) {
      throw new FailureException(
          "AccessDeniedException",
          "User: arn:aws:iam::"
              + ACCOUNT
              + ":user/"
              + caller
              + " is not authorized to perform:"
              + " kms:"
              + audit.path("eventName").asText()
              + " on resource: "
              + key.arn
              + " because no identity-based policy allows the action");
    }
    return key;
  }

  private static void requireEnabled(KmsKey key) throws FailureException {
    if (!key.enabled) {
      throw new FailureException("DisabledException", key.arn + " is disabled.");
    }
  }

  private ObjectNode metadata(KmsKey key) {
    ObjectNode metadata = JSON.createObjectNode();
    metadata.put("AWSAccountId", ACCOUNT);
    metadata.put("KeyId", key.keyId);
    metadata.put("Arn", key.arn);
    metadata.put("CreationDate", key.creationDate);
    metadata.put("Enabled", key.enabled);
    metadata.put("Description", "");
    metadata.put("KeyUsage", key.keyUsage);
    metadata.put("KeyState", key.enabled ? "Enabled" : "Disabled");
    metadata.put("Origin", key.origin);
    metadata.put("KeyManager", "CUSTOMER");
    metadata.put("CustomerMasterKeySpec", key.keySpec);
    metadata.put("KeySpec", key.keySpec);
    metadata.put("MultiRegion", false);
    algorithms(key, metadata);
    return metadata;
  }

  /** The algorithm lists AWS reports for RSA keys, in AWS's order (PKCS#1 SHA-256 first). */
  private static void algorithms(KmsKey key, ObjectNode node) {
    if (key.keyUsage.equals("SIGN_VERIFY")) {
      ArrayNode list = node.putArray("SigningAlgorithms");
      for (String name :
          new String[] {
            "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
            "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"
          }) {
        list.add(name);
      }
    } else {
      ArrayNode list = node.putArray("EncryptionAlgorithms");
      list.add("RSAES_OAEP_SHA_1");
      list.add("RSAES_OAEP_SHA_256");
    }
  }

  private static String text(JsonNode request, String field, String fallback) {
    JsonNode node = request.get(field);
    return node == null || node.isNull() ? fallback : node.asText();
  }
}
