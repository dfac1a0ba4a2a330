package dev.kiln.pipeline.cli.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.Finding;
import dev.kiln.inspector.ImageFormat;
import dev.kiln.inspector.Section;
import dev.kiln.inspector.SectionCheck;
import dev.kiln.inspector.VerificationResult;
import java.util.List;

/**
 * JSON renderings of inspector results shared by {@code kiln inspect} and {@code kiln verify}.
 * Numbers that are file offsets or sizes are plain JSON numbers; CRC values are hex strings the
 * way mstflint prints them.
 */
public final class ImageJson {
  /** Loaded on first render only: plain-text runs never pay for Jackson's databind start-up. */
  private static final class Mapper {
    static final ObjectMapper INSTANCE =
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  private ImageJson() {}

  /** A new empty object whose keys keep insertion order. */
  public static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  /** A new empty array. */
  public static ArrayNode array() {
    return JsonNodeFactory.instance.arrayNode();
  }

  /** Pretty-printed JSON text of {@code node}. */
  public static String render(Object node) {
    try {
      return Mapper.INSTANCE.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      // Only trees of our own nodes are rendered; a failure here is a programming error.
      throw new IllegalStateException("cannot render JSON", e);
    }
  }

  /** {@code {"code", "severity", "offset", "structure", "message"}}; offset null when unknown. */
  public static ObjectNode finding(Finding finding) {
    ObjectNode node = object();
    node.put("code", finding.code().name());
    node.put("severity", finding.severity().name());
    if (finding.offset() >= 0) {
      node.put("offset", finding.offset());
    } else {
      node.putNull("offset");
    }
    node.put("structure", finding.structure());
    node.put("message", finding.message());
    return node;
  }

  /** An array of {@link #finding(Finding)} objects. */
  public static ArrayNode findings(List<Finding> findings) {
    ArrayNode array = array();
    findings.forEach(f -> array.add(finding(f)));
    return array;
  }

  /**
   * A section: {@code name}, {@code type}, {@code table}, {@code offset}, {@code size}, {@code
   * crcMode}, {@code crcOk} (null when there is no CRC to compare) and {@code crcStatus}.
   */
  public static ObjectNode section(Section section, VerificationResult result) {
    return section(section, result, ImageFormat.FS4);
  }

  /**
   * As {@link #section(Section, VerificationResult)}; FS3 entries have no crc mode but the
   * relative_addr, device_data and no_crc bits (fs4-format.md §9.3, §18), shown instead.
   */
  public static ObjectNode section(Section section, VerificationResult result,
      ImageFormat format) {
    ObjectNode node = object();
    node.put("name", section.name());
    node.put("type", section.type());
    node.put("table", section.table().name());
    node.put("offset", section.offset());
    node.put("size", section.size());
    if (section.address() != section.offset()) {
      node.put("address", section.address());
    }
    if (format == ImageFormat.FS3) {
      node.put("relativeAddr", section.entry().fs3RelativeAddr());
      node.put("deviceData", section.entry().fs3DeviceData());
      node.put("noCrc", section.entry().fs3NoCrc());
    } else {
      node.put("crcMode", section.entry().crcMode());
    }
    SectionCheck check = result.check(section).orElse(null);
    if (check == null || check.crcOk() == null) {
      node.putNull("crcOk");
    } else {
      node.put("crcOk", check.crcOk());
    }
    node.put("crcStatus", check == null ? "UNCHECKED" : check.status().name());
    return node;
  }

  /** {@code 0x%04x}. */
  public static String hex16(int value) {
    return String.format("0x%04x", value);
  }
}
