package dev.kiln.pipeline.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes check results as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format),
 * the format code-scanning views (GitHub, GitLab) import.
 *
 * <p>Shape: one run whose tool driver is {@code kiln}; every finding code that occurs becomes a
 * rule ({@code rules[i].id} = code) and every finding a result pointing at the subject file. A
 * clean gate produces a run with no results, which code-scanning views show as "no alerts".
 *
 * @see <a href="https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html">SARIF 2.1.0</a>
 */
public final class SarifReport {
  /** The schema URI SARIF consumers recognise for version 2.1.0. */
  public static final String SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

  private SarifReport() {}

  /**
   * Renders the entries as SARIF JSON.
   *
   * @param toolVersion the kiln version string to record (may be null)
   * @param describe one-sentence description of a finding code, used as the rule's short text
   */
  public static byte[] render(
      List<ReportEntry> entries, String toolVersion, Function<String, String> describe)
      throws IOException {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode log = mapper.createObjectNode();
    log.put("$schema", SCHEMA_URI);
    log.put("version", "2.1.0");
    ObjectNode run = log.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "kiln");
    if (toolVersion != null) {
      driver.put("version", toolVersion);
    }
    // Rules in order of first appearance, so the file is stable for the same input.
    Map<String, Integer> ruleIndex = new LinkedHashMap<>();
    for (ReportEntry entry : entries) {
      for (CheckFinding finding : entry.findings()) {
        ruleIndex.putIfAbsent(finding.code(), ruleIndex.size());
      }
    }
    ArrayNode rules = driver.putArray("rules");
    for (String code : ruleIndex.keySet()) {
      ObjectNode rule = rules.addObject();
      rule.put("id", code);
      rule.putObject("shortDescription").put("text", describe.apply(code));
    }
    ArrayNode results = run.putArray("results");
    for (ReportEntry entry : entries) {
      for (CheckFinding finding : entry.findings()) {
        ObjectNode result = results.addObject();
        result.put("ruleId", finding.code());
        result.put("ruleIndex", ruleIndex.get(finding.code()));
        result.put("level", finding.severity().sarifLevel());
        result.putObject("message").put("text", finding.message());
        result
            .putArray("locations")
            .addObject()
            .putObject("physicalLocation")
            .putObject("artifactLocation")
            .put("uri", toUriReference(entry.subject()));
      }
    }
    return mapper.writeValueAsBytes(log);
  }

  /**
   * SARIF wants a URI reference, not a file path: separators become '/', and characters that are
   * not allowed in a URI path (spaces, '#', ...) are percent-encoded.
   */
  static String toUriReference(String path) {
    String slashed = path.replace('\\', '/');
    try {
      return new URI(null, null, slashed, null).toASCIIString();
    } catch (URISyntaxException e) {
      // The multi-argument constructor quotes every illegal character, so this cannot happen for
      // a path; keep the message useful anyway.
      throw new IllegalArgumentException("cannot express as a URI: " + path, e);
    }
  }
}
