package dev.kiln.pipeline.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kiln.inspector.io.BoundedFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The one place kiln reads JSON: signed documents (bundle manifests and their signatures, feeds),
 * the documents that steer a check (gate policies, target profiles, feed state, burn-log lines)
 * and the ones that steer a build (release and image descriptions). Every reader gets the same
 * strict rules (docs/input-limits.md):
 *
 * <ul>
 *   <li>bounded: at most {@link #MAX_DOCUMENT_BYTES} bytes (a caller may bound lower), nesting
 *       depth {@link #MAX_DEPTH}, {@link #MAX_TOKENS} tokens, names of {@link #MAX_NAME_LENGTH}
 *       and numbers of {@link #MAX_NUMBER_LENGTH} characters, so 85 million {@code {}} cost a
 *       refusal, not the heap;
 *   <li>one document: anything after it, even a second document, is refused;
 *   <li>no member twice in one object (the signer and the verifier must not read different
 *       values);
 *   <li>integers are integers: {@link #integer} refuses {@code 530.7}, {@code 530.0}, {@code 5e2}
 *       and anything outside the field's range (2^32+530 is not a 32-bit value that happens to
 *       end in 0x212).
 * </ul>
 *
 * <p>Jackson stays the parser (a maintained one); this class only configures it once and is the
 * only caller of its {@code readTree}.
 */
public final class StrictJson {
  /** Largest document read: far above any policy, feed or manifest kiln writes (a few KiB). */
  public static final long MAX_DOCUMENT_BYTES = 4L << 20;
  /** Deepest nesting of objects and arrays; kiln's documents nest at most five levels. */
  public static final int MAX_DEPTH = 32;
  /** Most tokens in one document (a token is a brace, bracket, name or value). */
  public static final long MAX_TOKENS = 1_000_000;
  /** Longest member name. */
  public static final int MAX_NAME_LENGTH = 256;
  /** Longest number literal: a 64-bit integer has at most 20 characters. */
  public static final int MAX_NUMBER_LENGTH = 24;

  private static final ObjectMapper READER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxDocumentLength(MAX_DOCUMENT_BYTES)
                          .maxNestingDepth(MAX_DEPTH)
                          .maxTokenCount(MAX_TOKENS)
                          .maxNameLength(MAX_NAME_LENGTH)
                          .maxNumberLength(MAX_NUMBER_LENGTH)
                          .maxStringLength(Math.toIntExact(MAX_DOCUMENT_BYTES))
                          .build())
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .build();

  private StrictJson() {}

  /** A document that is not strict JSON; the message is one line naming what and where. */
  public static final class InvalidJsonException extends IOException {
    private static final long serialVersionUID = 1L;

    InvalidJsonException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Parses one whole document held in memory; messages start with {@code what} and say where
   * ("what: not valid JSON (line 1, column 12): ...").
   *
   * @param what the document, for messages ("manifest.json", "the feed", "policy P")
   * @throws InvalidJsonException if it is empty, too large, too deep, not JSON, has trailing data
   *     or a duplicate member
   */
  public static JsonNode parse(String text, String what) throws InvalidJsonException {
    return parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), what);
  }

  /** {@link #parse(String, String)} of bytes (UTF-8, or UTF-16/32 with their JSON detection). */
  public static JsonNode parse(byte[] bytes, String what) throws InvalidJsonException {
    if (bytes.length > MAX_DOCUMENT_BYTES) {
      throw new InvalidJsonException(
          what + ": " + bytes.length + " bytes, more than the "
              + BoundedFiles.describe(MAX_DOCUMENT_BYTES) + " kiln reads as JSON", null);
    }
    JsonNode root;
    try {
      root = READER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new InvalidJsonException(what + ": not valid JSON" + where(e) + ": "
          + oneLine(e.getOriginalMessage()), e);
    } catch (IOException e) {
      throw new InvalidJsonException(what + ": cannot be read as JSON: " + e.getMessage(), e);
    }
    if (root == null || root.isMissingNode()) {
      throw new InvalidJsonException(what + ": empty, not a JSON document", null);
    }
    return root;
  }

  /**
   * Reads and parses a file of at most {@code limit} bytes (and at most {@link
   * #MAX_DOCUMENT_BYTES}).
   *
   * @param what what the file should be, with its article ("a gate policy")
   * @throws IOException if the file cannot be read within the bound or is not strict JSON (the
   *     message names the file)
   */
  public static JsonNode read(Path file, long limit, String what) throws IOException {
    byte[] bytes = BoundedFiles.read(file, Math.min(limit, MAX_DOCUMENT_BYTES), what);
    return parse(bytes, file.toString());
  }

  /**
   * The integer {@code value} of member {@code name}, if it is one and lies in {@code [min, max]}.
   *
   * @throws IllegalArgumentException naming the member otherwise (a fraction, an exponent, a
   *     string, out of range, missing)
   */
  public static long integer(JsonNode value, String name, long min, long max) {
    if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()
        || value.longValue() < min || value.longValue() > max) {
      throw new IllegalArgumentException(
          "'" + name + "' must be an integer from " + min + " to " + max + ", not "
              + (value == null ? "missing" : oneLine(value.toString())));
    }
    return value.longValue();
  }

  /** {@link #integer} of a 32-bit unsigned field, as the {@code int} of the same bits. */
  public static int uint32(JsonNode value, String name) {
    return (int) integer(value, name, 0, 0xFFFF_FFFFL);
  }

  /** {@link #integer} of a field that is a non-negative Java {@code int}. */
  public static int nonNegativeInt(JsonNode value, String name) {
    return (int) integer(value, name, 0, Integer.MAX_VALUE);
  }

  /**
   * A HW device id: a decimal integer, or a string in decimal or {@code 0x} hex (as {@code kiln
   * query} prints it), from 0 to 2^32-1, as the {@code int} of the same bits.
   *
   * @throws IllegalArgumentException otherwise (a fraction, out of range, not a number)
   */
  public static int deviceId(JsonNode value, String name) {
    if (value != null && value.isTextual()) {
      String text = value.textValue().trim().toLowerCase(java.util.Locale.ROOT);
      boolean hex = text.startsWith("0x");
      String digits = hex ? text.substring(2) : text;
      if (!digits.isEmpty() && digits.length() <= 10
          && digits.chars().allMatch(c -> Character.digit(c, hex ? 16 : 10) >= 0)) {
        long id = Long.parseLong(digits, hex ? 16 : 10);
        if (id <= 0xFFFF_FFFFL) {
          return (int) id;
        }
      }
      throw new IllegalArgumentException(
          "'" + name + "' must be a device id from 0 to 0xffffffff, not \"" + oneLine(text)
              + "\"");
    }
    return uint32(value, name);
  }

  /**
   * The string member {@code name} of {@code object}.
   *
   * @throws IllegalArgumentException if it is missing or not a string (a number is not taken as
   *     its text)
   */
  public static String text(JsonNode object, String name) {
    JsonNode value = object.get(name);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("'" + name + "' must be a string");
    }
    return value.textValue();
  }

  /** The boolean member {@code name}; {@link IllegalArgumentException} unless true or false. */
  public static boolean bool(JsonNode object, String name) {
    JsonNode value = object.get(name);
    if (value == null || !value.isBoolean()) {
      throw new IllegalArgumentException("'" + name + "' must be true or false");
    }
    return value.booleanValue();
  }

  /** The array member {@code name}; {@link IllegalArgumentException} unless an array. */
  public static JsonNode array(JsonNode object, String name) {
    JsonNode value = object.get(name);
    if (value == null || !value.isArray()) {
      throw new IllegalArgumentException("'" + name + "' must be an array");
    }
    return value;
  }

  /** Each element of {@code array} as a string; {@link IllegalArgumentException} otherwise. */
  public static java.util.List<String> texts(JsonNode array, String name) {
    java.util.List<String> texts = new java.util.ArrayList<>();
    for (JsonNode item : array) {
      if (!item.isTextual()) {
        throw new IllegalArgumentException("every element of '" + name + "' must be a string");
      }
      texts.add(item.textValue());
    }
    return texts;
  }

  private static String where(JsonProcessingException e) {
    JsonLocation location = e.getLocation();
    if (location == null || location.getLineNr() < 1) {
      return "";
    }
    return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
  }

  private static String oneLine(String text) {
    if (text == null) {
      return "";
    }
    String line = text.replaceAll("\\s+", " ").strip();
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
