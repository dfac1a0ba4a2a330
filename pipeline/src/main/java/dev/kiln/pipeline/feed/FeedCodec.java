package dev.kiln.pipeline.feed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.io.BoundedFiles;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.bundle.DetachedSignature;
import dev.kiln.pipeline.bundle.DocumentSigner;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.json.StrictJson;
import dev.kiln.signer.KeyAccessException;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads, writes, signs and verifies forbidden-versions feeds.
 *
 * <p>A signed feed is one JSON document with two members:
 *
 * <pre>
 * {
 *   "feed": {
 *     "format": "kiln-forbidden-versions-v1",
 *     "issued": "2026-11-01T00:00:00Z",
 *     "expires": "2027-02-01T00:00:00Z",
 *     "sequence": 7,
 *     "entries": [
 *       {"psid": "MT_0000000528", "hwDeviceId": 530,
 *        "versions": ["22.39.1002"], "reason": "CVE-2025-12345"}
 *     ]
 *   },
 *   "signature": {"format": "kiln-signature-v1", "algorithm": "SHA512withRSA",
 *                 "keyFingerprint": "...", "signature": "..."}
 * }
 * </pre>
 *
 * <p>The signature is made over the {@link CanonicalJson canonical bytes} of the {@code feed}
 * member only, so the file may be re-indented without breaking it while any change of content
 * does. An entry names {@code psid}, {@code hwDeviceId} (decimal) or both.
 */
public final class FeedCodec {
  /** The value of {@code feed.format}. */
  public static final String FORMAT = "kiln-forbidden-versions-v1";

  /** The feed is not valid JSON or misses a member; it cannot be used. */
  public static final String MALFORMED = "FEED_MALFORMED";
  /** The feed carries no signature. */
  public static final String UNSIGNED = "FEED_UNSIGNED";
  /** The feed is signed by a key that is not among the trusted feed keys. */
  public static final String UNTRUSTED_KEY = "FEED_UNTRUSTED_KEY";
  /** The feed's signature does not verify: it was changed after signing. */
  public static final String BAD_SIGNATURE = "FEED_BAD_SIGNATURE";
  /** The feed's expiry time has passed. */
  public static final String EXPIRED = "FEED_EXPIRED";
  /** The feed's issue time is in the future. */
  public static final String NOT_YET_VALID = "FEED_NOT_YET_VALID";
  /**
   * The feed is valid but older (lower sequence) than the newest feed already seen for its signing
   * key, or than {@code --min-feed-sequence}: replaying an old feed must not un-forbid a version.
   */
  public static final String ROLLBACK = "FEED_ROLLBACK";

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * Largest feed file read: a feed with a thousand entries is about 150 KiB, so anything near
   * this bound is refused from its size alone, before a byte of it is parsed.
   */
  public static final long MAX_FEED_BYTES = 1L << 20;

  private FeedCodec() {}

  /**
   * Reads a feed file (signed or not) within {@link #MAX_FEED_BYTES}.
   *
   * @throws IOException if it cannot be read or is larger (one line naming the file)
   */
  public static byte[] readFile(Path file) throws IOException {
    return BoundedFiles.read(file, MAX_FEED_BYTES, "a forbidden-versions feed");
  }

  /** The unsigned {@code feed} member for {@code feed}. */
  public static ObjectNode toJson(ForbiddenVersionsFeed feed) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("format", FORMAT);
    node.put("issued", feed.issued().toString());
    node.put("expires", feed.expires().toString());
    node.put("sequence", feed.sequence());
    ArrayNode entries = node.putArray("entries");
    for (FeedEntry entry : feed.entries()) {
      ObjectNode item = entries.addObject();
      if (entry.psid() != null) {
        item.put("psid", entry.psid());
      }
      if (entry.hwDeviceId() != null) {
        item.put("hwDeviceId", entry.hwDeviceId());
      }
      ArrayNode versions = item.putArray("versions");
      entry.versions().forEach(v -> versions.add(v.toString()));
      item.put("reason", entry.reason());
    }
    return node;
  }

  /**
   * Signs a feed: the returned bytes are the complete signed document, ready to publish.
   *
   * @param feedBody the {@code feed} member, e.g. from {@link #toJson} or read from an unsigned
   *     file; it is validated first so a malformed feed is never signed
   */
  public static byte[] sign(JsonNode feedBody, DocumentSigner signer)
      throws FeedException, GeneralSecurityException, IOException, KeyAccessException {
    parseBody(feedBody);
    byte[] canonical = canonical(feedBody);
    DetachedSignature signature = DetachedSignature.create(signer, canonical);
    ObjectNode document = MAPPER.createObjectNode();
    document.set("feed", feedBody);
    document.set("signature", signature.toJson(MAPPER));
    return MAPPER.writeValueAsBytes(document);
  }

  /**
   * Reads the {@code feed} member to sign from a file's bytes: either an unsigned body alone or a
   * previously signed document (whose old signature is dropped, for re-signing).
   */
  public static JsonNode unsignedBody(byte[] bytes) throws FeedException {
    JsonNode root = parseJson(bytes);
    JsonNode body = root.has("feed") ? root.get("feed") : root;
    parseBody(body);
    return body;
  }

  /** The feed content of a file without checking any signature (for display only). */
  public static ForbiddenVersionsFeed unsignedBodyFeed(byte[] bytes) throws FeedException {
    return parseBody(unsignedBody(bytes));
  }

  /**
   * Parses a signed feed and checks it fully: signature by a trusted key over the canonical body,
   * issue time not in the future, expiry not reached.
   *
   * @param now the time to judge expiry against
   * @throws FeedException with the code of the first problem
   */
  public static ForbiddenVersionsFeed verify(byte[] bytes, TrustedKeys trust, Instant now)
      throws FeedException {
    return verifySigned(bytes, trust, now).feed();
  }

  /**
   * A feed that passed {@link #verify}, with the fingerprint of the trusted key that signed it
   * (rollback protection remembers sequences per signing key, {@link FeedState}).
   *
   * @param feed the verified content
   * @param keyFingerprint lower-case hex SHA-256 of the signing key's SubjectPublicKeyInfo
   */
  public record VerifiedFeed(ForbiddenVersionsFeed feed, String keyFingerprint) {}

  /** {@link #verify}, also naming the key that signed the feed. */
  public static VerifiedFeed verifySigned(byte[] bytes, TrustedKeys trust, Instant now)
      throws FeedException {
    JsonNode root = parseJson(bytes);
    JsonNode body = root.get("feed");
    if (body == null || !body.isObject()) {
      throw new FeedException(MALFORMED, "the feed document has no 'feed' object");
    }
    ForbiddenVersionsFeed feed = parseBody(body);
    JsonNode signatureNode = root.get("signature");
    if (signatureNode == null || signatureNode.isNull()) {
      throw new FeedException(UNSIGNED, "the feed is not signed");
    }
    DetachedSignature signature;
    try {
      signature = DetachedSignature.fromJson(signatureNode);
    } catch (IllegalArgumentException e) {
      throw new FeedException(MALFORMED, "the feed's " + e.getMessage());
    }
    Optional<PublicKey> key = trust.find(signature.keyFingerprint());
    if (key.isEmpty()) {
      throw new FeedException(
          UNTRUSTED_KEY,
          "the feed is signed by key " + signature.keyFingerprint()
              + ", which is not a trusted feed key");
    }
    boolean valid;
    try {
      valid = signature.verifies(canonical(body), key.get());
    } catch (GeneralSecurityException e) {
      valid = false;
    }
    if (!valid) {
      throw new FeedException(
          BAD_SIGNATURE, "the feed's signature does not verify: it was changed after signing");
    }
    if (now.isBefore(feed.issued())) {
      throw new FeedException(
          NOT_YET_VALID, "the feed is issued at " + feed.issued() + ", which is in the future");
    }
    if (!now.isBefore(feed.expires())) {
      throw new FeedException(
          EXPIRED, "the feed expired at " + feed.expires() + "; fetch a current feed");
    }
    return new VerifiedFeed(feed, signature.keyFingerprint());
  }

  private static byte[] canonical(JsonNode body) throws FeedException {
    try {
      return CanonicalJson.bytes(body);
    } catch (IllegalArgumentException e) {
      throw new FeedException(MALFORMED, "the feed " + e.getMessage());
    }
  }

  private static JsonNode parseJson(byte[] bytes) throws FeedException {
    if (bytes.length > MAX_FEED_BYTES) {
      throw new FeedException(
          MALFORMED, "the feed is " + bytes.length + " bytes, more than the "
              + BoundedFiles.describe(MAX_FEED_BYTES) + " kiln reads");
    }
    JsonNode root;
    try {
      root = StrictJson.parse(bytes, "the feed");
    } catch (IOException e) {
      throw new FeedException(MALFORMED, e.getMessage());
    }
    if (!root.isObject()) {
      throw new FeedException(MALFORMED, "the feed is not a JSON object");
    }
    return root;
  }

  /** Validates and converts the {@code feed} member. */
  static ForbiddenVersionsFeed parseBody(JsonNode body) throws FeedException {
    if (body == null || !body.isObject()) {
      throw new FeedException(MALFORMED, "the feed is not a JSON object");
    }
    if (!FORMAT.equals(body.path("format").asText(null))) {
      throw new FeedException(MALFORMED, "the feed's format is not " + FORMAT);
    }
    try {
      Instant issued = Instant.parse(requireText(body, "issued"));
      Instant expires = Instant.parse(requireText(body, "expires"));
      long sequence = StrictJson.integer(body.get("sequence"), "sequence", 0, Long.MAX_VALUE);
      JsonNode entriesNode = body.get("entries");
      if (entriesNode == null || !entriesNode.isArray()) {
        throw new FeedException(MALFORMED, "the feed has no 'entries' array");
      }
      List<FeedEntry> entries = new ArrayList<>();
      int index = 0;
      for (JsonNode item : entriesNode) {
        entries.add(parseEntry(item, index++));
      }
      return new ForbiddenVersionsFeed(issued, expires, sequence, entries);
    } catch (DateTimeParseException e) {
      throw new FeedException(
          MALFORMED, "the feed's time is not an ISO-8601 instant: " + e.getParsedString());
    } catch (IllegalArgumentException e) {
      throw new FeedException(MALFORMED, "the feed is invalid: " + e.getMessage());
    }
  }

  private static FeedEntry parseEntry(JsonNode item, int index) throws FeedException {
    if (!item.isObject()) {
      throw new FeedException(MALFORMED, "feed entry " + index + " is not an object");
    }
    try {
      String psid = item.hasNonNull("psid") ? StrictJson.text(item, "psid") : null;
      Integer hwId =
          item.hasNonNull("hwDeviceId")
              ? StrictJson.uint32(item.get("hwDeviceId"), "hwDeviceId")
              : null;
      JsonNode versionsNode = item.get("versions");
      if (versionsNode == null || !versionsNode.isArray()) {
        throw new FeedException(MALFORMED, "feed entry " + index + " has no 'versions' array");
      }
      List<FwVersion> versions = new ArrayList<>();
      for (String version : StrictJson.texts(versionsNode, "versions")) {
        versions.add(FwVersion.parse(version));
      }
      String reason = item.hasNonNull("reason") ? StrictJson.text(item, "reason") : "";
      return new FeedEntry(psid, hwId, versions, reason);
    } catch (IllegalArgumentException e) {
      throw new FeedException(MALFORMED, "feed entry " + index + ": " + e.getMessage());
    }
  }

  private static String requireText(JsonNode body, String field) throws FeedException {
    JsonNode value = body.get(field);
    if (value == null || !value.isTextual()) {
      throw new FeedException(MALFORMED, "the feed has no text member '" + field + "'");
    }
    return value.asText();
  }
}
