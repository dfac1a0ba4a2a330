package dev.kiln.pipeline.feed;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The canonical byte form of a JSON value, which is what Kiln signs for JSON documents (the
 * forbidden-versions feed, burn-log records). Two documents with the same content have the same
 * canonical bytes however they were formatted.
 *
 * <p>Rules (a subset of RFC 8785, JSON Canonicalization Scheme, restricted to what Kiln's
 * documents use so that no number formatting is involved):
 *
 * <ol>
 *   <li>UTF-8, no byte-order mark, no whitespace outside strings.
 *   <li>Object members sorted by name, comparing UTF-16 code units; duplicate names are refused
 *       when the document is parsed (Jackson's STRICT_DUPLICATE_DETECTION).
 *   <li>Strings: {@code "} and {@code \} escaped with a backslash; U+0008, U+0009, U+000A, U+000C,
 *       U+000D as {@code \b \t \n \f \r}; other characters below U+0020 as {@code \}{@code
 *       u00xx} (lower-case hex); everything else literal.
 *   <li>Numbers: integers only, in plain decimal without leading zeros or a plus sign; a
 *       fractional or exponent number is refused.
 *   <li>{@code true}, {@code false}, {@code null} as themselves.
 * </ol>
 */
public final class CanonicalJson {
  private CanonicalJson() {}

  /**
   * The canonical UTF-8 bytes of {@code value}.
   *
   * @throws IllegalArgumentException if the value holds a non-integer number
   */
  public static byte[] bytes(JsonNode value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void write(JsonNode value, StringBuilder out) {
    switch (value.getNodeType()) {
      case OBJECT -> {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, JsonNode> member : value.properties()) {
          names.add(member.getKey());
        }
        // String.compareTo compares UTF-16 code units, which is the order RFC 8785 asks for.
        names.sort(String::compareTo);
        out.append('{');
        for (int i = 0; i < names.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          writeString(names.get(i), out);
          out.append(':');
          write(value.get(names.get(i)), out);
        }
        out.append('}');
      }
      case ARRAY -> {
        out.append('[');
        for (int i = 0; i < value.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          write(value.get(i), out);
        }
        out.append(']');
      }
      case STRING -> writeString(value.textValue(), out);
      case NUMBER -> {
        if (!value.isIntegralNumber()) {
          throw new IllegalArgumentException(
              "canonical JSON allows integers only, found " + value.asText());
        }
        out.append(value.bigIntegerValue().toString());
      }
      case BOOLEAN -> out.append(value.booleanValue());
      case NULL -> out.append("null");
      default -> throw new IllegalArgumentException(
          "not a JSON value: " + value.getNodeType());
    }
  }

  private static void writeString(String text, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\f' -> out.append("\\f");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
