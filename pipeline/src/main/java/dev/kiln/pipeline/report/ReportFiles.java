package dev.kiln.pipeline.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/** Writes the machine-readable reports of {@code kiln check} and {@code kiln gate}. */
public final class ReportFiles {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportFiles() {}

  /** Writes the SARIF and/or JUnit files that were asked for (null paths are skipped). */
  public static void write(
      List<ReportEntry> entries, Path sarif, Path junit, String suiteName,
      Function<String, String> describe, String toolVersion) throws IOException {
    if (sarif != null) {
      AtomicFiles.write(sarif, SarifReport.render(entries, toolVersion, describe));
    }
    if (junit != null) {
      AtomicFiles.write(junit, JUnitReport.render(entries, suiteName));
    }
  }

  /** The JSON form printed by {@code --json}: one object per entry. */
  public static String json(List<ReportEntry> entries) throws IOException {
    ArrayNode array = MAPPER.createArrayNode();
    for (ReportEntry entry : entries) {
      array.add(json(entry));
    }
    return MAPPER.writeValueAsString(array);
  }

  /** One entry as JSON: subject, accepted, findings. */
  public static ObjectNode json(ReportEntry entry) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("subject", entry.subject());
    node.put("accepted", entry.accepted());
    ArrayNode findings = node.putArray("findings");
    for (CheckFinding finding : entry.findings()) {
      ObjectNode item = findings.addObject();
      item.put("code", finding.code());
      item.put("severity", finding.severity().name());
      item.put("message", finding.message());
    }
    return node;
  }

  /** Pretty JSON text of a node. */
  public static String pretty(Object node) throws IOException {
    return MAPPER.writeValueAsString(node);
  }
}
