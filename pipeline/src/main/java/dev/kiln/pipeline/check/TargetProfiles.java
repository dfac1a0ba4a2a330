package dev.kiln.pipeline.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.burner.precheck.DeviceProfile;
import dev.kiln.burner.precheck.TrustedKey;
import dev.kiln.inspector.section.FwVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a target profile, the JSON object {@code kiln query --json} prints (docs/burner.md
 * "Target profile"), back into a {@link DeviceProfile} so {@code kiln check --target} and {@code
 * kiln bundle create --target} work offline. Only the members pre-validation needs are read;
 * the rest of the query output is informational.
 */
public final class TargetProfiles {
  private TargetProfiles() {}

  /**
   * Reads a profile file.
   *
   * @throws IOException if the file cannot be read or is not a target profile (the message names
   *     the file and the member)
   */
  public static DeviceProfile read(Path file) throws IOException {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readAllBytes(file));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException(file + ": not a target profile (invalid JSON)", e);
    }
    try {
      return parse(root);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": not a target profile: " + e.getMessage(), e);
    }
  }

  /** Converts a parsed profile object. */
  public static DeviceProfile parse(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    List<TrustedKey> keys = new ArrayList<>();
    for (JsonNode key : required(root, "trustedKeys")) {
      byte[] der =
          key.hasNonNull("publicKey")
              ? Base64.getDecoder().decode(key.get("publicKey").asText())
              : new byte[0];
      keys.add(new TrustedKey(required(key, "uuid").asText(), der));
    }
    List<FwVersion> forbidden = new ArrayList<>();
    for (JsonNode version : required(root, "forbiddenVersions")) {
      forbidden.add(FwVersion.parse(version.asText()));
    }
    JsonNode pending = root.get("pendingVersion");
    return new DeviceProfile(
        root.path("deviceName").asText(""),
        hwId(required(root, "hwDeviceId")),
        required(root, "psid").asText(),
        FwVersion.parse(required(root, "runningVersion").asText()),
        pending == null || pending.isNull()
            ? Optional.empty()
            : Optional.of(FwVersion.parse(pending.asText())),
        required(root, "securityVersion").asInt(),
        required(root, "secured").asBoolean(),
        keys,
        required(root, "trustedKeysKnown").asBoolean(),
        forbidden,
        required(root, "forbiddenVersionsKnown").asBoolean());
  }

  private static int hwId(JsonNode node) {
    if (node.isIntegralNumber()) {
      return node.asInt();
    }
    String text = node.asText().trim().toLowerCase(Locale.ROOT);
    try {
      return text.startsWith("0x") ? Integer.parseInt(text.substring(2), 16)
          : Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("hwDeviceId is not a number: " + node.asText(), e);
    }
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("member '" + field + "' is missing");
    }
    return value;
  }
}
