package dev.kiln.pipeline.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.json.StrictJson;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
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
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

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
      root = StrictJson.parse(bytes, "manifest.json");
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (!root.isObject() || !FORMAT.equals(root.path("format").textValue())) {
      throw new IllegalArgumentException("manifest.json is not a " + FORMAT + " manifest");
    }
    try {
      List<ManifestImage> images = new ArrayList<>();
      for (JsonNode node : StrictJson.array(root, "images")) {
        images.add(image(node));
      }
      return new BundleManifest(
          StrictJson.text(root, "bundleVersion"),
          Instant.parse(StrictJson.text(root, "createdAt")),
          images);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new IllegalArgumentException("manifest.json: " + e.getMessage(), e);
    }
  }

  private static ManifestImage image(JsonNode node) {
    if (!node.isObject()) {
      throw new IllegalArgumentException("every element of 'images' must be an object");
    }
    List<Integer> hwIds = new ArrayList<>();
    StrictJson.array(node, "hwDeviceIds")
        .forEach(id -> hwIds.add(StrictJson.uint32(id, "hwDeviceIds")));
    List<ManifestImage.TargetResult> results = new ArrayList<>();
    for (JsonNode item : StrictJson.array(node, "prevalidation")) {
      if (!item.isObject()) {
        throw new IllegalArgumentException("every element of 'prevalidation' must be an object");
      }
      results.add(
          new ManifestImage.TargetResult(
              StrictJson.text(item, "target"), StrictJson.bool(item, "accepted"),
              StrictJson.texts(StrictJson.array(item, "findings"), "findings")));
    }
    return new ManifestImage(
        StrictJson.text(node, "path"),
        StrictJson.integer(node.get("size"), "size", 0, ImageParser.MAX_IMAGE_SIZE),
        StrictJson.text(node, "sha512"),
        StrictJson.text(node, "psid"),
        hwIds,
        FwVersion.parse(StrictJson.text(node, "fwVersion")),
        StrictJson.nonNegativeInt(node.get("securityVersion"), "securityVersion"),
        StrictJson.texts(StrictJson.array(node, "signingKeyUuids"), "signingKeyUuids"),
        results);
  }
}
