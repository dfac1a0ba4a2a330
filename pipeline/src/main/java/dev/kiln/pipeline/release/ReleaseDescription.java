package dev.kiln.pipeline.release;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code kiln release} does, read from RELEASE.json. Paths are relative to the file.
 *
 * <pre>
 * {
 *   "name": "cx6dx-22.41.1000",
 *   "outputDirectory": "out",
 *   "images": [{"description": "cx6dx.json"}, {"image": "prebuilt/fw.bin"}],
 *   "provisionKeys": [{"publicKey": "keys/rsa2048.pub.pem", "uuid": "..."}],
 *   "signing": {"key": "file:keys/rsa2048.pem", "keyUuid": "...",
 *               "key2": "file:keys/rsa4096.pem", "keyUuid2": "...",
 *               "keyPass": "env:KILN_KEY_PASS", "allowSampleKeys": false},
 *   "trust": ["keys/rsa2048.pub.pem"],
 *   "targets": ["targets/lab-cx6dx.json"],
 *   "forbiddenFeed": {"path": "feed.json", "trustedKeys": ["keys/feed.pub.pem"]},
 *   "bundle": {"file": "cx6dx-22.41.1000.kbundle", "key": "file:keys/rsa2048.pem",
 *              "version": "22.41.1000",
 *              "mfa2": "cx6dx-22.41.1000.mfa2", "pldm": "cx6dx-22.41.1000.fwpkg",
 *              "pldmVersion": "1.0"}
 * }
 * </pre>
 *
 * <p>{@code bundle.mfa2} and {@code bundle.pldm} (optional) name an MFA2 archive and a DSP0267
 * package (version {@code bundle.pldmVersion}, default 1.0) made of the same images, each signed
 * with {@code bundle.key} in a detached {@code .ksig}; the packages stage verifies every package
 * (the kbundle too) before the release succeeds.
 *
 * <p>{@code images} entries are either an image description ({@code kiln build} input) or an
 * already built image. {@code bundle.key} defaults to {@code signing.key}; {@code bundle.version}
 * to the highest image version; {@code targets} and {@code forbiddenFeed} may be empty/absent.
 * {@code provisionKeys} are the keys the released images' PUBLIC_KEYS sections will hold (what a
 * device trusts for the next update once it runs them), written before signing; absent, the
 * images keep the PUBLIC_KEYS they were built with. {@code allowKeyLockout} (default false) lets
 * an image through whose PUBLIC_KEYS hold no key or not its signer.
 */
public record ReleaseDescription(
    String name,
    Path outputDirectory,
    List<ImageSource> images,
    List<ProvisionedKey> provisionKeys,
    boolean allowKeyLockout,
    Signing signing,
    List<Path> trust,
    List<Path> targets,
    Optional<Feed> feed,
    Path bundleFile,
    String bundleKey,
    Optional<String> bundleVersion,
    Packages packages) {
  public ReleaseDescription {
    images = List.copyOf(images);
    provisionKeys = List.copyOf(provisionKeys);
    trust = List.copyOf(trust);
    targets = List.copyOf(targets);
    if (images.isEmpty()) {
      throw new IllegalArgumentException("the release has no images");
    }
    if (trust.isEmpty()) {
      throw new IllegalArgumentException("'trust' must name the keys the verify stage trusts");
    }
  }

  /** A release without MFA2 or DSP0267 packages. */
  public ReleaseDescription(
      String name, Path outputDirectory, List<ImageSource> images,
      List<ProvisionedKey> provisionKeys, boolean allowKeyLockout, Signing signing,
      List<Path> trust, List<Path> targets, Optional<Feed> feed, Path bundleFile,
      String bundleKey, Optional<String> bundleVersion) {
    this(name, outputDirectory, images, provisionKeys, allowKeyLockout, signing, trust, targets,
        feed, bundleFile, bundleKey, bundleVersion, Packages.NONE);
  }

  /**
   * The MFA2 and DSP0267 packages the release also emits (file names in the output directory).
   *
   * @param pldmVersion the DSP0267 version of the pldm package, "1.0" to "1.3"
   */
  public record Packages(Optional<Path> mfa2, Optional<Path> pldm, String pldmVersion) {
    public static final Packages NONE = new Packages(Optional.empty(), Optional.empty(), "1.0");

    public Packages {
      if (dev.kiln.packages.pldm.PldmFormatRevision.ofSpecVersion(pldmVersion).isEmpty()) {
        throw new IllegalArgumentException(
            "bundle.pldmVersion: '" + pldmVersion + "' is not 1.0, 1.1, 1.2 or 1.3");
      }
    }
  }

  /** An image to release: built from a description, or taken as built. */
  public record ImageSource(Optional<Path> description, Optional<Path> image) {
    public ImageSource {
      if (description.isPresent() == image.isPresent()) {
        throw new IllegalArgumentException("an image entry names a description or an image");
      }
    }

    /** The base name of the output image file. */
    public String baseName() {
      Path path = description.orElseGet(image::get);
      String name = path.getFileName().toString();
      int dot = name.lastIndexOf('.');
      return dot > 0 ? name.substring(0, dot) : name;
    }
  }

  /**
   * A key to provision into the images' PUBLIC_KEYS, as {@code kiln keys pack --key --uuid}.
   *
   * @param publicKey PEM public key file (RSA-2048 goes to PUBLIC_KEYS_2048, RSA-4096 to _4096)
   * @param uuid its key UUID (what signatures made with it carry)
   */
  public record ProvisionedKey(Path publicKey, String uuid) {}

  /** The signing keys (one or two, as {@code kiln sign}). */
  public record Signing(
      String key, String keyUuid, Optional<String> key2, Optional<String> keyUuid2,
      Optional<String> keyPass, boolean allowSampleKeys) {}

  /** The feed the check stage consults. */
  public record Feed(Path path, List<Path> trustedKeys) {
    public Feed {
      trustedKeys = List.copyOf(trustedKeys);
    }
  }

  /**
   * Reads a release description.
   *
   * @throws IllegalArgumentException naming the member that is missing or wrong
   */
  public static ReleaseDescription load(Path file) throws IOException {
    JsonNode root;
    try {
      root =
          new ObjectMapper()
              .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
              .readTree(Files.readAllBytes(file));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    checkMembers(
        root, Set.of("name", "outputDirectory", "images", "provisionKeys", "allowKeyLockout",
            "signing", "trust", "targets", "forbiddenFeed", "bundle", "description"), "release");
    Path base = file.toAbsolutePath().getParent();
    List<ImageSource> images = new ArrayList<>();
    for (JsonNode item : array(root, "images")) {
      checkMembers(item, Set.of("description", "image"), "images[]");
      images.add(
          new ImageSource(
              optionalText(item, "description").map(base::resolve),
              optionalText(item, "image").map(base::resolve)));
    }
    List<ProvisionedKey> provisionKeys = new ArrayList<>();
    if (root.has("provisionKeys")) {
      for (JsonNode item : array(root, "provisionKeys")) {
        checkMembers(item, Set.of("publicKey", "uuid"), "provisionKeys[]");
        provisionKeys.add(
            new ProvisionedKey(base.resolve(text(item, "publicKey")), text(item, "uuid")));
      }
    }
    JsonNode lockout = root.get("allowKeyLockout");
    if (lockout != null && !lockout.isBoolean()) {
      throw new IllegalArgumentException("'allowKeyLockout' must be true or false");
    }
    JsonNode signingNode = object(root, "signing");
    checkMembers(
        signingNode,
        Set.of("key", "keyUuid", "key2", "keyUuid2", "keyPass", "allowSampleKeys"), "signing");
    Signing signing =
        new Signing(
            text(signingNode, "key"),
            text(signingNode, "keyUuid"),
            optionalText(signingNode, "key2"),
            optionalText(signingNode, "keyUuid2"),
            optionalText(signingNode, "keyPass"),
            signingNode.path("allowSampleKeys").asBoolean(false));
    Optional<Feed> feed = Optional.empty();
    if (root.hasNonNull("forbiddenFeed")) {
      JsonNode feedNode = root.get("forbiddenFeed");
      feed = Optional.of(
          new Feed(base.resolve(text(feedNode, "path")), paths(base, feedNode, "trustedKeys")));
    }
    JsonNode bundle = object(root, "bundle");
    checkMembers(bundle, Set.of("file", "key", "version", "mfa2", "pldm", "pldmVersion"), "bundle");
    return new ReleaseDescription(
        text(root, "name"),
        base.resolve(text(root, "outputDirectory")),
        images,
        provisionKeys,
        lockout != null && lockout.booleanValue(),
        signing,
        paths(base, root, "trust"),
        root.has("targets") ? paths(base, root, "targets") : List.of(),
        feed,
        Path.of(text(bundle, "file")),
        optionalText(bundle, "key").orElse(signing.key()),
        optionalText(bundle, "version"),
        new Packages(
            optionalText(bundle, "mfa2").map(Path::of),
            optionalText(bundle, "pldm").map(Path::of),
            optionalText(bundle, "pldmVersion").orElse("1.0")));
  }

  private static void checkMembers(JsonNode node, Set<String> known, String where) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new IllegalArgumentException(where + ": unknown member '" + name + "'");
      }
    }
  }

  private static JsonNode object(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isObject()) {
      throw new IllegalArgumentException("'" + field + "' must be an object");
    }
    return value;
  }

  private static JsonNode array(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isArray()) {
      throw new IllegalArgumentException("'" + field + "' must be an array");
    }
    return value;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isEmpty()) {
      throw new IllegalArgumentException("'" + field + "' must be a non-empty string");
    }
    return value.asText();
  }

  private static Optional<String> optionalText(JsonNode node, String field) {
    return node.hasNonNull(field) ? Optional.of(text(node, field)) : Optional.empty();
  }

  private static List<Path> paths(Path base, JsonNode node, String field) {
    List<Path> result = new ArrayList<>();
    for (JsonNode item : array(node, field)) {
      result.add(base.resolve(item.asText()));
    }
    return result;
  }
}
