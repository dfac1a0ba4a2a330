package dev.kiln.pipeline.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Writes the machine-readable reports of {@code kiln check} and {@code kiln gate}. */
public final class ReportFiles {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportFiles() {}

  /** Writes the SARIF and/or JUnit files that were asked for (null paths are skipped). */
  public static void write(
      List<ReportEntry> entries, Path sarif, Path junit, String suiteName,
      SarifReport.Context context) throws IOException {
    if (sarif != null) {
      AtomicFiles.write(sarif, SarifReport.render(entries, context));
    }
    if (junit != null) {
      AtomicFiles.write(junit, JUnitReport.render(entries, suiteName));
    }
  }

  /**
   * One entry as JSON: subject, accepted, findings (with {@code offset}/{@code length} or {@code
   * line}/{@code column} where a finding has a place) and, when some checks could not run, {@code
   * notEvaluated} (check code to reason).
   */
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
      finding.region().ifPresent(region -> {
        if (region.isBinary()) {
          item.put("offset", region.byteOffset());
          if (region.byteLength() >= 0) {
            item.put("length", region.byteLength());
          }
        } else {
          item.put("line", region.line());
          if (region.column() > 0) {
            item.put("column", region.column());
          }
        }
      });
    }
    if (!entry.notEvaluated().isEmpty()) {
      ObjectNode skipped = node.putObject("notEvaluated");
      entry.notEvaluated().forEach(skipped::put);
    }
    return node;
  }

  /** Pretty JSON text of a node. */
  public static String pretty(Object node) throws IOException {
    return MAPPER.writeValueAsString(node);
  }
}
