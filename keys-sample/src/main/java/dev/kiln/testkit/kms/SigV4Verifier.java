package dev.kiln.testkit.kms;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks AWS Signature Version 4 on a request the way the service does: rebuild the canonical
 * request from the headers the client says it signed, derive the signing key from the secret, and
 * compare signatures.
 *
 * <pre>
 * Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kms/aws4_request,
 *                SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=hex
 *
 * CanonicalRequest = METHOD \n PATH \n QUERY \n (name:value\n for each signed header, sorted) \n
 *                    signed;header;names \n hex(SHA-256(body))
 * StringToSign     = "AWS4-HMAC-SHA256" \n X-Amz-Date \n date/region/kms/aws4_request \n
 *                    hex(SHA-256(CanonicalRequest))
 * SigningKey       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), "kms"), "aws4_request")
 * Signature        = hex(HMAC(SigningKey, StringToSign))
 * </pre>
 *
 * @see <a href="https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html">Create
 *     a signed AWS API request</a>
 */
final class SigV4Verifier {
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** AWS refuses requests whose X-Amz-Date is further than this from its clock. */
  private static final Duration MAX_SKEW = Duration.ofMinutes(15);

  private SigV4Verifier() {}

  /**
   * Verifies the request and returns the access key id that signed it.
   *
   * @param headers case-insensitive header lookup returning every value of a header, or null
   * @param secrets secret access keys by access key id
   * @throws FailureException when the request must be refused
   */
  static String verify(
      String method,
      String path,
      String query,
      Function<String, List<String>> headers,
      byte[] body,
      String region,
      Map<String, String> secrets)
      throws FailureException {
    String authorization = first(headers, "authorization");
    if (authorization == null || !authorization.startsWith("AWS4-HMAC-SHA256 ")) {
      throw new FailureException(
          "MissingAuthenticationTokenException", "Missing Authentication Token");
    }
    String credential = null;
    String signedHeaders = null;
    String signature = null;
    for (String part : authorization.substring("AWS4-HMAC-SHA256 ".length()).split(",")) {
      String item = part.strip();
      if (item.startsWith("Credential=")) {
        credential = item.substring("Credential=".length());
      } else if (item.startsWith("SignedHeaders=")) {
        signedHeaders = item.substring("SignedHeaders=".length());
      } else if (item.startsWith("Signature=")) {
        signature = item.substring("Signature=".length());
      }
    }
    if (credential == null || signedHeaders == null || signature == null) {
      throw new FailureException("IncompleteSignatureException", "Authorization header incomplete");
    }
    String[] scope = credential.split("/");
    if (scope.length != 5 || !scope[4].equals("aws4_request")) {
      throw new FailureException("IncompleteSignatureException", "Credential scope malformed");
    }
    String accessKeyId = scope[0];
    String secret = secrets.get(accessKeyId);
    if (secret == null) {
      throw new FailureException(
          "UnrecognizedClientException", "The security token included in the request is invalid.");
    }
    if (!scope[2].equals(region) || !scope[3].equals("kms")) {
      throw new FailureException(
          "InvalidSignatureException",
          "Credential should be scoped to a valid region and service 'kms' (region "
              + region
              + ")");
    }
    String amzDate = first(headers, "x-amz-date");
    if (amzDate == null) {
      throw new FailureException("IncompleteSignatureException", "X-Amz-Date header missing");
    }
    try {
      Instant when = Instant.from(AMZ_DATE.parse(amzDate));
      if (Duration.between(when, Instant.now()).abs().compareTo(MAX_SKEW) > 0) {
        throw new FailureException("InvalidSignatureException", "Signature expired");
      }
    } catch (DateTimeParseException e) {
      throw new FailureException("IncompleteSignatureException", "X-Amz-Date malformed");
    }
    if (!amzDate.startsWith(scope[1])) {
      throw new FailureException(
          "InvalidSignatureException", "Credential date does not match X-Amz-Date");
    }
    List<String> names = Arrays.asList(signedHeaders.split(";"));
    if (!names.contains("host")) {
      throw new FailureException("InvalidSignatureException", "host must be a signed header");
    }
    StringBuilder canonical = new StringBuilder();
    canonical.append(method).append('\n').append(path).append('\n').append(query).append('\n');
    for (String name : names) {
      List<String> values = headers.apply(name);
      if (values == null) {
        throw new FailureException(
            "InvalidSignatureException", "signed header '" + name + "' is missing");
      }
      canonical.append(name.toLowerCase(Locale.ROOT)).append(':');
      canonical.append(String.join(",", values.stream().map(SigV4Verifier::trimAll).toList()));
      canonical.append('\n');
    }
    String bodyHash = hex(sha256(body));
    String declaredHash = first(headers, "x-amz-content-sha256");
    if (declaredHash != null
        && !declaredHash.equals("UNSIGNED-PAYLOAD")
        && !declaredHash.equals(bodyHash)) {
      throw new FailureException(
          "InvalidSignatureException", "x-amz-content-sha256 does not match the body");
    }
    String payloadHash = "UNSIGNED-PAYLOAD".equals(declaredHash) ? declaredHash : bodyHash;
    canonical.append('\n').append(signedHeaders).append('\n').append(payloadHash);

    String scopeText = scope[1] + "/" + scope[2] + "/" + scope[3] + "/aws4_request";
    String stringToSign =
        "AWS4-HMAC-SHA256\n"
            + amzDate
            + "\n"
            + scopeText
            + "\n"
            + hex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), scope[1]);
    key = hmac(key, scope[2]);
    key = hmac(key, scope[3]);
    key = hmac(key, "aws4_request");
    String expected = hex(hmac(key, stringToSign));
    if (!MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII))) {
      throw new FailureException(
          "InvalidSignatureException",
          "The request signature we calculated does not match the signature you provided. Check"
              + " your AWS Secret Access Key and signing method.");
    }
    return accessKeyId;
  }

  /** SigV4 trims header values and collapses runs of blanks to one. */
  private static String trimAll(String value) {
    return value.strip().replaceAll(" +", " ");
  }

  private static String first(Function<String, List<String>> headers, String name) {
    List<String> values = headers.apply(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  /** A refused request. */
  static final class FailureException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String type;

    FailureException(String type, String message) {
      super(message);
      this.type = type;
    }

    String type() {
      return type;
    }
  }
}
