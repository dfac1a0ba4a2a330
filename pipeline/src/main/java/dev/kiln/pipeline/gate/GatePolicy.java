package dev.kiln.pipeline.gate;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import dev.kiln.pipeline.report.FindingRegion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * <p>Every member is required except {@code forbiddenFeed}, {@code allowKeyLockout}, {@code
 * allowSampleKeys}, {@code packageKeys} and {@code description}: a policy that forgets a rule
 * must not silently allow everything (fail closed). Empty {@code allowedPsids}/{@code
 * allowedDeviceIds} lists allow nothing; {@code requiredSignatures} may be empty only if {@code trustedKeys} is not, and every
 * image must in any case carry at least one signature by a trusted key. An error names the line
 * and column of the member, and a misspelt member the known one it was probably meant to be.
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
 * @param allowSampleKeys optional member (default false): let the policy trust the keys-sample
 *     keys (NOT FOR PRODUCTION; tests and demos), which the gate otherwise refuses as {@code
 *     kiln sign} does
 * @param packageKeys optional member (default none): PEM public keys trusted to sign packages
 *     given to the gate (a kiln bundle's manifest.sig, an MFA2 or DSP0267 package's .ksig); a
 *     package is gated only when its signature verifies with one of them, so without the member
 *     every package fails ({@code GATE_PACKAGE_UNVERIFIED})
 * @param namedAt where in the policy file each file it names (trusted keys, feed, package keys)
 *     is written, so that a file the gate cannot use is reported at the line to fix
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
    boolean allowSampleKeys,
    List<Path> packageKeys,
    Map<Path, FindingRegion> namedAt) {
  static final Set<String> SIGNATURE_SECTIONS =
      Set.of("IMAGE_SIGNATURE_256", "IMAGE_SIGNATURE_512");

  /** Every member a policy may have. */
  static final List<String> MEMBERS =
      List.of(
          "trustedKeys", "requiredSignatures", "allowedPsids", "allowedDeviceIds",
          "forbiddenFeed", "minimumSecurityVersion", "requireSecureFw", "allowKeyLockout",
          "allowSampleKeys", "packageKeys", "description");

  /** Every member of {@code forbiddenFeed}. */
  static final List<String> FEED_MEMBERS = List.of("path", "trustedKeys");

  /** Largest policy file read; a policy is a few hundred bytes. */
  public static final long MAX_POLICY_BYTES = 64L << 10;

  public GatePolicy {
    trustedKeys = List.copyOf(trustedKeys);
    requiredSignatures = List.copyOf(requiredSignatures);
    allowedPsids = List.copyOf(allowedPsids);
    allowedDeviceIds = List.copyOf(allowedDeviceIds);
    packageKeys = List.copyOf(packageKeys);
    namedAt = Map.copyOf(namedAt);
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
   * @throws IOException if it cannot be read ({@link java.nio.file.NoSuchFileException} if it
   *     does not exist)
   * @throws GatePolicyException naming the member that is missing or wrong, with its position
   */
  public static GatePolicy load(Path file) throws IOException, GatePolicyException {
    PolicyDocument document = PolicyDocument.read(file);
    JsonNode root = document.root();
    Map<Path, FindingRegion> namedAt = new HashMap<>();
    refuseUnknownMembers(document, "", root, MEMBERS);
    Path base = file.toAbsolutePath().getParent();
    Optional<FeedSource> feed = Optional.empty();
    JsonNode feedNode = root.get("forbiddenFeed");
    if (feedNode != null && !feedNode.isNull()) {
      if (!feedNode.isObject()) {
        throw document.error("/forbiddenFeed",
            "policy member 'forbiddenFeed' must be an object with 'path' and 'trustedKeys'");
      }
      refuseUnknownMembers(document, "/forbiddenFeed", feedNode, FEED_MEMBERS);
      Path feedPath = base.resolve(text(document, "/forbiddenFeed", feedNode, "path"));
      feed =
          Optional.of(
              new FeedSource(
                  feedPath,
                  paths(document, base, "/forbiddenFeed", feedNode, "trustedKeys", namedAt)));
      document.position("/forbiddenFeed/path")
          .ifPresent(where -> namedAt.putIfAbsent(feedPath, where));
    }
    List<Integer> deviceIds = new ArrayList<>();
    JsonNode ids = array(document, "", root, "allowedDeviceIds");
    for (int i = 0; i < ids.size(); i++) {
      deviceIds.add(parseDeviceId(document, "/allowedDeviceIds/" + i, ids.get(i)));
    }
    JsonNode minimum = root.get("minimumSecurityVersion");
    if (minimum == null || !minimum.canConvertToInt() || !minimum.isIntegralNumber()
        || minimum.asInt() < 0) {
      throw document.error("/minimumSecurityVersion",
          "policy member 'minimumSecurityVersion' must be a non-negative integer");
    }
    boolean secure = flag(document, root, "requireSecureFw", true);
    boolean lockout = flag(document, root, "allowKeyLockout", false);
    boolean sample = flag(document, root, "allowSampleKeys", false);
    List<Path> trusted = paths(document, base, "", root, "trustedKeys", namedAt);
    List<String> required = strings(document, "", root, "requiredSignatures");
    List<Path> packageKeys =
        root.has("packageKeys")
            ? paths(document, base, "", root, "packageKeys", namedAt)
            : List.of();
    if (trusted.isEmpty()) {
      throw document.error("/trustedKeys", "the policy trusts no keys; every image would fail");
    }
    for (int i = 0; i < required.size(); i++) {
      if (!SIGNATURE_SECTIONS.contains(required.get(i))) {
        throw document.error("/requiredSignatures/" + i,
            "requiredSignatures: unknown signature section " + required.get(i)
                + " (use IMAGE_SIGNATURE_256 or IMAGE_SIGNATURE_512)");
      }
    }
    return new GatePolicy(
        trusted, required, strings(document, "", root, "allowedPsids"), deviceIds, feed,
        minimum.asInt(), secure, lockout, sample, packageKeys, namedAt);
  }

  /** A misspelt rule would otherwise be ignored: fail closed, and say what was meant. */
  private static void refuseUnknownMembers(
      PolicyDocument document, String pointer, JsonNode object, List<String> known)
      throws GatePolicyException {
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        String where = pointer.isEmpty() ? "policy member" : "member of '"
            + pointer.substring(1) + "'";
        String hint =
            NameSuggestion.closest(name, known)
                .map(s -> "; did you mean '" + s + "'?")
                .orElse(" (known: " + String.join(", ", known) + ")");
        throw document.error(
            PolicyDocument.member(pointer, name), where + " '" + name + "' is not known" + hint);
      }
    }
  }

  private static boolean flag(
      PolicyDocument document, JsonNode root, String field, boolean required)
      throws GatePolicyException {
    JsonNode value = root.get(field);
    if (value == null && !required) {
      return false;
    }
    if (value == null || !value.isBoolean()) {
      throw document.error("/" + field, "policy member '" + field + "' must be true or false");
    }
    return value.booleanValue();
  }

  /**
   * A HW device id: an integer, or a string in decimal or {@code 0x} hex (as {@code kiln query}
   * prints it), from 0 to 2^32-1, as the {@code int} of the same bits. A fraction or a value out
   * of range is refused, never rounded or truncated (2^32+530 is not 0x212).
   */
  static int parseDeviceId(PolicyDocument document, String pointer, JsonNode id)
      throws GatePolicyException {
    if (id.isTextual()) {
      String text = id.textValue().trim().toLowerCase(Locale.ROOT);
      boolean hex = text.startsWith("0x");
      String digits = hex ? text.substring(2) : text;
      if (!digits.isEmpty() && digits.length() <= 10
          && digits.chars().allMatch(c -> Character.digit(c, hex ? 16 : 10) >= 0)) {
        long value = Long.parseLong(digits, hex ? 16 : 10);
        if (value <= 0xFFFF_FFFFL) {
          return (int) value;
        }
      }
      throw document.error(pointer,
          "'allowedDeviceIds' must be a device id from 0 to 0xffffffff, not " + id);
    }
    if (id.isIntegralNumber() && id.canConvertToLong() && id.longValue() >= 0
        && id.longValue() <= 0xFFFF_FFFFL) {
      return (int) id.longValue();
    }
    throw document.error(pointer,
        "'allowedDeviceIds' must be an integer from 0 to 4294967295, not " + id);
  }

  private static JsonNode array(
      PolicyDocument document, String pointer, JsonNode node, String field)
      throws GatePolicyException {
    JsonNode value = node.get(field);
    if (value == null || !value.isArray()) {
      throw document.error(PolicyDocument.member(pointer, field),
          "policy member '" + field + "' must be an array");
    }
    return value;
  }

  private static List<String> strings(
      PolicyDocument document, String pointer, JsonNode node, String field)
      throws GatePolicyException {
    List<String> result = new ArrayList<>();
    JsonNode items = array(document, pointer, node, field);
    for (int i = 0; i < items.size(); i++) {
      if (!items.get(i).isTextual()) {
        throw document.error(PolicyDocument.member(pointer, field) + "/" + i,
            "policy member '" + field + "' must hold strings");
      }
      result.add(items.get(i).asText());
    }
    return result;
  }

  private static List<Path> paths(
      PolicyDocument document, Path base, String pointer, JsonNode node, String field,
      Map<Path, FindingRegion> namedAt) throws GatePolicyException {
    List<String> names = strings(document, pointer, node, field);
    List<Path> paths = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      Path path = base.resolve(names.get(i));
      paths.add(path);
      document.position(PolicyDocument.member(pointer, field) + "/" + i)
          .ifPresent(where -> namedAt.putIfAbsent(path, where));
    }
    return paths;
  }

  /** Where the policy file names {@code file}, if it does. */
  public Optional<FindingRegion> namedAt(Path file) {
    return Optional.ofNullable(namedAt.get(file));
  }

  private static String text(
      PolicyDocument document, String pointer, JsonNode node, String field)
      throws GatePolicyException {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw document.error(PolicyDocument.member(pointer, field),
          "policy member '" + field + "' must be a string");
    }
    return value.asText();
  }
}
