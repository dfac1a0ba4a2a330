package dev.kiln.pipeline.gate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code kiln gate} enforces. JSON form (paths are relative to the policy file):
 *
 * <pre>
 * {
 *   "trustedKeys": ["keys/release.pub.pem"],
 *   "requiredSignatures": ["IMAGE_SIGNATURE_256", "IMAGE_SIGNATURE_512"],
 *   "allowedPsids": ["MT_0000000528"],
 *   "allowedDeviceIds": ["0x212"],
 *   "forbiddenFeed": {"path": "forbidden.json", "trustedKeys": ["keys/feed.pub.pem"]},
 *   "minimumSecurityVersion": 1,
 *   "requireSecureFw": true,
 *   "packageKeys": ["keys/bundle.pub.pem"]
 * }
 * </pre>
 *
 * <p>Every member is required except {@code forbiddenFeed}: a policy that forgets a rule must not
 * silently allow everything (fail closed). Empty {@code allowedPsids}/{@code allowedDeviceIds}
 * lists allow nothing; {@code requiredSignatures} may be empty only if {@code trustedKeys} is
 * not, and every image must in any case carry at least one signature by a trusted key.
 *
 * @param trustedKeys PEM public keys or PUBLIC_KEYS section files (signer's TrustStore formats)
 * @param requiredSignatures signature sections that must be present and verify
 * @param allowedPsids PSIDs an image may carry
 * @param allowedDeviceIds HW device ids an image may target (at least one must be allowed, and
 *     none outside the list)
 * @param feed the forbidden-versions feed, if the policy uses one
 * @param minimumSecurityVersion images below this security version fail
 * @param requireSecureFw whether images must be secure firmware with mcc_en set
 * @param allowKeyLockout optional member (default false): report an image whose PUBLIC_KEYS hold
 *     no key or not its signer ({@code GATE_KEY_LOCKOUT}) as a warning instead of a failure
 * @param packageKeys optional member (default none): PEM public keys trusted to sign packages
 *     given to the gate (a kiln bundle's manifest.sig, an MFA2 or DSP0267 package's .ksig); a
 *     package is gated only when its signature verifies with one of them, so without the member
 *     every package fails ({@code GATE_PACKAGE_UNVERIFIED})
 */
public record GatePolicy(
    List<Path> trustedKeys,
    List<String> requiredSignatures,
    List<String> allowedPsids,
    List<Integer> allowedDeviceIds,
    Optional<FeedSource> feed,
    int minimumSecurityVersion,
    boolean requireSecureFw,
    boolean allowKeyLockout,
    List<Path> packageKeys) {
  static final Set<String> SIGNATURE_SECTIONS =
      Set.of("IMAGE_SIGNATURE_256", "IMAGE_SIGNATURE_512");

  public GatePolicy {
    trustedKeys = List.copyOf(trustedKeys);
    requiredSignatures = List.copyOf(requiredSignatures);
    allowedPsids = List.copyOf(allowedPsids);
    allowedDeviceIds = List.copyOf(allowedDeviceIds);
    packageKeys = List.copyOf(packageKeys);
    if (trustedKeys.isEmpty()) {
      throw new IllegalArgumentException("the policy trusts no keys; every image would fail");
    }
    for (String section : requiredSignatures) {
      if (!SIGNATURE_SECTIONS.contains(section)) {
        throw new IllegalArgumentException(
            "requiredSignatures: unknown signature section " + section
                + " (use IMAGE_SIGNATURE_256 or IMAGE_SIGNATURE_512)");
      }
    }
  }

  /**
   * Where the feed is and which keys may sign it.
   *
   * @param path the signed feed file
   * @param trustedKeys PEM public keys allowed to sign the feed
   */
  public record FeedSource(Path path, List<Path> trustedKeys) {
    public FeedSource {
      trustedKeys = List.copyOf(trustedKeys);
    }
  }

  /**
   * Reads a policy file.
   *
   * @throws java.nio.file.NoSuchFileException if it does not exist
   * @throws IllegalArgumentException naming the member that is missing or wrong
   */
  public static GatePolicy load(Path file) throws IOException {
    ObjectMapper mapper =
        new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    JsonNode root;
    try {
      root = mapper.readTree(Files.readAllBytes(file));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("policy " + file + " is not valid JSON", e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("policy " + file + " is not a JSON object");
    }
    Set<String> known =
        Set.of(
            "trustedKeys", "requiredSignatures", "allowedPsids", "allowedDeviceIds",
            "forbiddenFeed", "minimumSecurityVersion", "requireSecureFw", "allowKeyLockout",
            "packageKeys", "description");
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        // A misspelt rule would otherwise be ignored: fail closed.
        throw new IllegalArgumentException("policy member '" + name + "' is not known");
      }
    }
    Path base = file.toAbsolutePath().getParent();
    Optional<FeedSource> feed = Optional.empty();
    JsonNode feedNode = root.get("forbiddenFeed");
    if (feedNode != null && !feedNode.isNull()) {
      feed =
          Optional.of(
              new FeedSource(
                  base.resolve(text(feedNode, "path")), paths(base, feedNode, "trustedKeys")));
    }
    List<Integer> deviceIds = new ArrayList<>();
    for (JsonNode id : array(root, "allowedDeviceIds")) {
      deviceIds.add(parseDeviceId(id));
    }
    JsonNode minimum = root.get("minimumSecurityVersion");
    if (minimum == null || !minimum.isIntegralNumber() || minimum.asInt() < 0) {
      throw new IllegalArgumentException(
          "policy member 'minimumSecurityVersion' must be a non-negative integer");
    }
    JsonNode secure = root.get("requireSecureFw");
    if (secure == null || !secure.isBoolean()) {
      throw new IllegalArgumentException("policy member 'requireSecureFw' must be true or false");
    }
    JsonNode lockout = root.get("allowKeyLockout");
    if (lockout != null && !lockout.isBoolean()) {
      throw new IllegalArgumentException("policy member 'allowKeyLockout' must be true or false");
    }
    return new GatePolicy(
        paths(base, root, "trustedKeys"),
        strings(root, "requiredSignatures"),
        strings(root, "allowedPsids"),
        deviceIds,
        feed,
        minimum.asInt(),
        secure.asBoolean(),
        lockout != null && lockout.booleanValue(),
        root.has("packageKeys") ? paths(base, root, "packageKeys") : List.of());
  }

  static int parseDeviceId(JsonNode id) {
    if (id.isIntegralNumber()) {
      return id.asInt();
    }
    String text = id.asText().trim().toLowerCase(Locale.ROOT);
    try {
      return text.startsWith("0x") ? Integer.parseInt(text.substring(2), 16)
          : Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("allowedDeviceIds: not a device id: " + id.asText(), e);
    }
  }

  private static JsonNode array(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isArray()) {
      throw new IllegalArgumentException("policy member '" + field + "' must be an array");
    }
    return value;
  }

  private static List<String> strings(JsonNode node, String field) {
    List<String> result = new ArrayList<>();
    for (JsonNode item : array(node, field)) {
      if (!item.isTextual()) {
        throw new IllegalArgumentException("policy member '" + field + "' must hold strings");
      }
      result.add(item.asText());
    }
    return result;
  }

  private static List<Path> paths(Path base, JsonNode node, String field) {
    return strings(node, field).stream().map(base::resolve).toList();
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("policy member '" + field + "' must be a string");
    }
    return value.asText();
  }
}
