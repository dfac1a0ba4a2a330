package dev.kiln.pipeline.bundle;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.section.FwVersion;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The manifest of a bundle ({@code manifest.json}): what the bundle holds, signed as a whole by
 * {@code manifest.sig}.
 *
 * <pre>
 * {
 *   "format": "kiln-bundle-v1",
 *   "bundleVersion": "22.41.1000",
 *   "createdAt": "2026-11-25T07:00:00Z",
 *   "images": [
 *     {"path": "images/fw.bin", "size": 2097152, "sha512": "...", "psid": "MT_0000000528",
 *      "hwDeviceIds": [530], "fwVersion": "22.41.1000", "securityVersion": 1,
 *      "signingKeyUuids": ["..."],
 *      "prevalidation": [{"target": "lab-cx6dx", "accepted": true, "findings": []}]}
 *   ]
 * }
 * </pre>
 *
 * @param bundleVersion the release's version label
 * @param createdAt creation time
 * @param images the images, in zip order
 */
public record BundleManifest(String bundleVersion, Instant createdAt, List<ManifestImage> images) {
  /** The value of {@code format}. */
  public static final String FORMAT = "kiln-bundle-v1";

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(SerializationFeature.INDENT_OUTPUT);

  public BundleManifest {
    Objects.requireNonNull(bundleVersion, "bundleVersion");
    Objects.requireNonNull(createdAt, "createdAt");
    images = List.copyOf(images);
  }

  /** The manifest's bytes as stored in the bundle (deterministic for the same content). */
  public byte[] toBytes() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.put("bundleVersion", bundleVersion);
    root.put("createdAt", createdAt.toString());
    ArrayNode array = root.putArray("images");
    for (ManifestImage image : images) {
      ObjectNode node = array.addObject();
      node.put("path", image.path());
      node.put("size", image.size());
      node.put("sha512", image.sha512());
      node.put("psid", image.psid());
      ArrayNode hwIds = node.putArray("hwDeviceIds");
      image.hwDeviceIds().forEach(hwIds::add);
      node.put("fwVersion", image.fwVersion().toString());
      node.put("securityVersion", image.securityVersion());
      ArrayNode uuids = node.putArray("signingKeyUuids");
      image.signingKeyUuids().forEach(uuids::add);
      ArrayNode results = node.putArray("prevalidation");
      for (ManifestImage.TargetResult result : image.prevalidation()) {
        ObjectNode item = results.addObject();
        item.put("target", result.target());
        item.put("accepted", result.accepted());
        ArrayNode findings = item.putArray("findings");
        result.findings().forEach(findings::add);
      }
    }
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise a manifest", e);
    }
  }

  /**
   * Parses manifest bytes.
   *
   * @throws IllegalArgumentException naming the first problem
   */
  public static BundleManifest parse(byte[] bytes) {
    JsonNode root;
    try {
      root = MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException("manifest.json is not valid JSON", e);
    }
    if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
      throw new IllegalArgumentException("manifest.json is not a " + FORMAT + " manifest");
    }
    List<ManifestImage> images = new ArrayList<>();
    for (JsonNode node : required(root, "images")) {
      List<Integer> hwIds = new ArrayList<>();
      required(node, "hwDeviceIds").forEach(id -> hwIds.add(id.asInt()));
      List<String> uuids = new ArrayList<>();
      required(node, "signingKeyUuids").forEach(uuid -> uuids.add(uuid.asText()));
      List<ManifestImage.TargetResult> results = new ArrayList<>();
      for (JsonNode item : required(node, "prevalidation")) {
        List<String> findings = new ArrayList<>();
        required(item, "findings").forEach(f -> findings.add(f.asText()));
        results.add(
            new ManifestImage.TargetResult(
                required(item, "target").asText(), required(item, "accepted").asBoolean(),
                findings));
      }
      images.add(
          new ManifestImage(
              required(node, "path").asText(),
              required(node, "size").asLong(),
              required(node, "sha512").asText(),
              required(node, "psid").asText(),
              hwIds,
              FwVersion.parse(required(node, "fwVersion").asText()),
              required(node, "securityVersion").asInt(),
              uuids,
              results));
    }
    return new BundleManifest(
        required(root, "bundleVersion").asText(),
        Instant.parse(required(root, "createdAt").asText()),
        images);
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("manifest.json misses '" + field + "'");
    }
    return value;
  }
}
