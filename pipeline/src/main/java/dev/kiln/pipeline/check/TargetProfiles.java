package dev.kiln.pipeline.check;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.burner.precheck.DeviceProfile;
import dev.kiln.burner.precheck.TrustedKey;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.json.StrictJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Reads a target profile, the JSON object {@code kiln query --json} prints (docs/burner.md
 * "Target profile"), back into a {@link DeviceProfile} so {@code kiln check --target} and {@code
 * kiln bundle create --target} work offline. Only the members pre-validation needs are read;
 * the rest of the query output is informational.
 */
public final class TargetProfiles {
  /** Largest profile file read; a `kiln query --json` profile is about 2 KiB. */
  public static final long MAX_PROFILE_BYTES = 256L << 10;

  private TargetProfiles() {}

  /**
   * Reads a profile file.
   *
   * @throws IOException if the file cannot be read or is not a target profile (the message names
   *     the file and the member)
   */
  public static DeviceProfile read(Path file) throws IOException {
    // Not JSON, too large or not a regular file: StrictJson's message names the file and why.
    JsonNode root = StrictJson.read(file, MAX_PROFILE_BYTES, "a target profile");
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
    for (JsonNode key : StrictJson.array(root, "trustedKeys")) {
      byte[] der =
          key.hasNonNull("publicKey")
              ? Base64.getDecoder().decode(StrictJson.text(key, "publicKey"))
              : new byte[0];
      keys.add(new TrustedKey(StrictJson.text(key, "uuid"), der));
    }
    List<FwVersion> forbidden = new ArrayList<>();
    for (String version :
        StrictJson.texts(StrictJson.array(root, "forbiddenVersions"), "forbiddenVersions")) {
      forbidden.add(FwVersion.parse(version));
    }
    JsonNode pending = root.get("pendingVersion");
    return new DeviceProfile(
        root.hasNonNull("deviceName") ? StrictJson.text(root, "deviceName") : "",
        hwId(required(root, "hwDeviceId")),
        StrictJson.text(root, "psid"),
        FwVersion.parse(StrictJson.text(root, "runningVersion")),
        pending == null || pending.isNull()
            ? Optional.empty()
            : Optional.of(FwVersion.parse(StrictJson.text(root, "pendingVersion"))),
        StrictJson.nonNegativeInt(root.get("securityVersion"), "securityVersion"),
        StrictJson.bool(root, "secured"),
        keys,
        StrictJson.bool(root, "trustedKeysKnown"),
        forbidden,
        StrictJson.bool(root, "forbiddenVersionsKnown"));
  }

  private static int hwId(JsonNode node) {
    return StrictJson.deviceId(node, "hwDeviceId");
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("member '" + field + "' is missing");
    }
    return value;
  }
}
