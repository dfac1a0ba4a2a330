package dev.kiln.pipeline.gate;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.pipeline.report.FindingRegion;
import java.io.IOException;
import java.io.InputStream;
import dev.kiln.inspector.io.BoundedFiles;
import dev.kiln.pipeline.json.StrictJson;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A policy file read as JSON, remembering where each member and array element starts, so that a
 * policy error names its line and column. Jackson's tree keeps no positions, so the bytes are
 * walked once with the streaming parser to record them (keyed by JSON pointer, e.g. {@code
 * /forbiddenFeed/path} or {@code /allowedDeviceIds/1}), then read as a tree.
 */
final class PolicyDocument {
  /** A policy is a few hundred bytes; anything near this is not a policy. */
  static final int MAX_BYTES = 64 << 10;

  private final Path file;
  private final JsonNode root;
  private final Map<String, FindingRegion> positions;

  private PolicyDocument(Path file, JsonNode root, Map<String, FindingRegion> positions) {
    this.file = file;
    this.root = root;
    this.positions = positions;
  }

  /**
   * Reads and parses {@code file} (at most {@link #MAX_BYTES}).
   *
   * @throws IOException if it cannot be read
   * @throws GatePolicyException if it is too large, not JSON (with the syntax error's position),
   *     has a duplicate member or is not an object
   */
  static PolicyDocument read(Path file) throws IOException, GatePolicyException {
    // Bounded before it is read; a policy is a few hundred bytes.
    byte[] bytes = BoundedFiles.read(file, GatePolicy.MAX_POLICY_BYTES, "a gate policy");
    ObjectMapper mapper =
        new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    Map<String, FindingRegion> positions = new HashMap<>();
    JsonNode root;
    try {
      try (JsonParser parser = mapper.createParser(bytes)) {
        for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
          if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
            continue;
          }
          // A policy is one document: a second value at the top level is refused here, where
          // its position is known.
          JsonStreamContext level =
              token.isStructStart()
                  ? parser.getParsingContext().getParent() : parser.getParsingContext();
          if (level.inRoot() && level.getCurrentIndex() > 0) {
            throw new GatePolicyException(file,
                Optional.of(position(parser.currentTokenLocation())),
                "not valid JSON: Trailing token (" + token + ") after the policy's one JSON"
                    + " document");
          }
          boolean element = parser.getParsingContext().inArray();
          if (token == JsonToken.FIELD_NAME || element) {
            JsonLocation start = parser.currentTokenLocation();
            positions.putIfAbsent(
                parser.getParsingContext().pathAsPointer().toString(),
                FindingRegion.text(
                    Math.max(1, start.getLineNr()), start.getColumnNr(),
                    tokenWidth(bytes, start.getByteOffset())));
          }
        }
      }
      // The tree comes from the one strict reader (trailing data, duplicates, depth, size); the
      // walk above only records where each member starts.
      root = StrictJson.parse(bytes, file.toString());
    } catch (StrictJson.InvalidJsonException e) {
      throw new GatePolicyException(file, Optional.empty(), e.getMessage());
    } catch (JsonProcessingException e) {
      Optional<FindingRegion> where =
          Optional.ofNullable(e.getLocation()).map(PolicyDocument::position);
      throw new GatePolicyException(file, where, "not valid JSON: " + oneLine(e));
    }
    if (root == null || !root.isObject()) {
      throw new GatePolicyException(file, Optional.of(FindingRegion.text(1, 1)),
          "not a JSON object");
    }
    return new PolicyDocument(file, root, positions);
  }

  /** Jackson's reason without its notes on Java binding, on one line. */
  private static String oneLine(JsonProcessingException e) {
    String message = String.valueOf(e.getOriginalMessage());
    int binding = message.indexOf(" (bound as");
    return (binding > 0 ? message.substring(0, binding) : message).replaceAll("\\s+", " ").strip();
  }

  private static FindingRegion position(JsonLocation location) {
    return FindingRegion.text(Math.max(1, location.getLineNr()), location.getColumnNr(), 1);
  }

  /**
   * The length in bytes of the JSON token starting at {@code offset} (Jackson counts columns of
   * byte input in bytes): a string up to its closing quote, a number or literal up to the next
   * delimiter, a bracket one byte.
   */
  static int tokenWidth(byte[] bytes, long offset) {
    if (offset < 0 || offset >= bytes.length) {
      return 1;
    }
    int at = (int) offset;
    if (bytes[at] == '"') {
      int end = at + 1;
      while (end < bytes.length && bytes[end] != '"' && bytes[end] != '\n') {
        end += bytes[end] == '\\' ? 2 : 1;
      }
      return Math.min(end, bytes.length - 1) + 1 - at;
    }
    if (bytes[at] == '{' || bytes[at] == '[') {
      return 1;
    }
    int end = at;
    while (end < bytes.length && ",]} \t\r\n".indexOf(bytes[end]) < 0) {
      end++;
    }
    return Math.max(1, end - at);
  }

  JsonNode root() {
    return root;
  }

  Path file() {
    return file;
  }

  /** Where the member or element {@code pointer} starts, if the file has it. */
  Optional<FindingRegion> position(String pointer) {
    return Optional.ofNullable(positions.get(pointer));
  }

  /** The JSON pointer of member {@code name} of the object at {@code parent} (RFC 6901 escapes). */
  static String member(String parent, String name) {
    return parent + "/" + name.replace("~", "~0").replace("/", "~1");
  }

  /**
   * A policy error at the member or element {@code pointer}, or at the nearest enclosing one that
   * is in the file (a missing member is reported at its object).
   */
  GatePolicyException error(String pointer, String reason) {
    String at = pointer;
    while (!at.isEmpty() && !positions.containsKey(at)) {
      at = at.substring(0, at.lastIndexOf('/'));
    }
    FindingRegion where = at.isEmpty() ? FindingRegion.text(1, 1) : positions.get(at);
    return new GatePolicyException(file, Optional.of(where), reason);
  }
}
