package dev.kiln.pipeline.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.pipeline.check.FindingCatalog;
import dev.kiln.pipeline.report.ArtifactDigest;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.pipeline.report.FindingRegion;
import dev.kiln.pipeline.report.JUnitReport;
import dev.kiln.pipeline.report.ReportEntry;
import dev.kiln.pipeline.report.SarifReport;
import dev.kiln.pipeline.report.ToolInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report writers against the SARIF 2.1.0 schema and the JUnit XSD. */
class ReportFormatTest {
  static final List<ReportEntry> ENTRIES =
      List.of(
          new ReportEntry(
              "out/fw signed.bin", List.of("UNSIGNED", "PSID_MISMATCH"),
              List.of(
                  CheckFinding.error("PSID_MISMATCH", "image is for MT_1 <not> \"MT_2\" & co")
                      .at(FindingRegion.bytes(0x1000, 0x40)),
                  CheckFinding.warning("FEED_STALE", "feed expires soon"))),
          new ReportEntry("out/ok.bin", List.of("UNSIGNED", "PSID_MISMATCH"), List.of()));

  static final Path BASE = Path.of("/work/firmware repo");

  static SarifReport.Context context(int exitCode) {
    return new SarifReport.Context(
        new ToolInfo("1.2.3", "https://example.org/kiln", "https://example.org/kiln/docs/"),
        code -> "rule " + code, FindingCatalog::documentation, BASE, exitCode,
        Map.of("out/ok.bin", new ArtifactDigest("ab".repeat(32), 4096)));
  }

  @Test
  void sarifValidatesAndNamesRulesAndLocations() throws Exception {
    byte[] sarif = SarifReport.render(ENTRIES, context(1));
    ReportSchemas.assertValidSarif(sarif);
    JsonNode run = new ObjectMapper().readTree(sarif).get("runs").get(0);
    assertEquals("1.2.3", run.at("/tool/driver/version").asText());
    assertEquals("https://example.org/kiln", run.at("/tool/driver/informationUri").asText());
    assertEquals(2, run.get("results").size());
    JsonNode first = run.get("results").get(0);
    assertEquals("PSID_MISMATCH", first.get("ruleId").asText());
    JsonNode location = first.at("/locations/0/physicalLocation");
    assertEquals("out/fw%20signed.bin", location.at("/artifactLocation/uri").asText());
    assertEquals(SarifReport.BASE_ID, location.at("/artifactLocation/uriBaseId").asText());
    assertEquals(
        "file:///work/firmware%20repo/",
        run.at("/originalUriBaseIds/%SRCROOT%/uri").asText());
    assertEquals(0x1000, location.at("/region/byteOffset").asLong());
    assertEquals(0x40, location.at("/region/byteLength").asLong());
    // The warning has no place: no region.
    assertTrue(run.at("/results/1/locations/0/physicalLocation/region").isMissingNode());
    JsonNode rule = run.at("/tool/driver/rules/1");
    assertEquals("PSID_MISMATCH", rule.get("id").asText());
    assertEquals("PsidMismatch", rule.get("name").asText());
    assertEquals(
        "https://example.org/kiln/docs/pipeline.md"
            + "#pre-validation-kiln-check-bundle-manifests-kiln-burn",
        rule.get("helpUri").asText());
    assertEquals("ab".repeat(32), run.at("/artifacts/0/hashes/sha-256").asText());
  }

  @Test
  void fingerprintsAreStableAndTellFindingsApart() throws Exception {
    JsonNode once = new ObjectMapper().readTree(SarifReport.render(ENTRIES, context(1)));
    JsonNode again = new ObjectMapper().readTree(SarifReport.render(ENTRIES, context(1)));
    JsonNode results = once.at("/runs/0/results");
    assertEquals(results, again.at("/runs/0/results"));
    assertTrue(
        !results.get(0).get("partialFingerprints").equals(results.get(1).get("partialFingerprints")));
  }

  @Test
  void filesOutsideTheBaseGetAbsoluteUrisAndTextRegionsLines() throws Exception {
    ReportEntry policy =
        new ReportEntry("/etc/kiln/policy.json", List.of("GATE_POLICY_INVALID"),
            List.of(CheckFinding.error("GATE_POLICY_INVALID", "bad").at(FindingRegion.text(3, 7))));
    ReportEntry colon = new ReportEntry("a:b.bin", List.of("UNSIGNED"),
        List.of(CheckFinding.error("UNSIGNED", "x")));
    byte[] sarif = SarifReport.render(List.of(policy, colon), context(3));
    ReportSchemas.assertValidSarif(sarif);
    JsonNode run = new ObjectMapper().readTree(sarif).at("/runs/0");
    JsonNode location = run.at("/results/0/locations/0/physicalLocation");
    assertEquals("file:///etc/kiln/policy.json", location.at("/artifactLocation/uri").asText());
    assertTrue(location.at("/artifactLocation/uriBaseId").isMissingNode());
    assertEquals(3, location.at("/region/startLine").asInt());
    assertEquals(7, location.at("/region/startColumn").asInt());
    // "a:b.bin" would read as a URI with scheme "a".
    assertEquals("./a:b.bin",
        run.at("/results/1/locations/0/physicalLocation/artifactLocation/uri").asText());
    assertTrue(!run.at("/invocations/0/executionSuccessful").asBoolean());
  }

  @Test
  void checksThatCouldNotRunAreNotificationsAndJUnitErrors() throws Exception {
    ReportEntry unreadable =
        new ReportEntry("x.bin", List.of("READ", "SIGNED", "PSID"),
            List.of(CheckFinding.error("READ", "not an image")),
            Map.of("SIGNED", "not an image", "PSID", "not an image"));
    assertTrue(!unreadable.accepted());
    byte[] sarif = SarifReport.render(List.of(unreadable), context(1));
    ReportSchemas.assertValidSarif(sarif);
    JsonNode notifications =
        new ObjectMapper().readTree(sarif).at("/runs/0/invocations/0/toolExecutionNotifications");
    assertEquals(2, notifications.size());
    assertEquals("error", notifications.get(0).get("level").asText());
    byte[] xml = JUnitReport.render(List.of(unreadable), "kiln gate");
    ReportSchemas.assertValidJUnit(xml);
    String text = new String(xml, StandardCharsets.UTF_8);
    assertTrue(text.contains("tests=\"3\" failures=\"1\" errors=\"2\""), text);
    assertTrue(text.contains("<error type=\"NOT_EVALUATED\" message=\"not an image\">"), text);
  }

  @Test
  void emptySarifValidates() throws Exception {
    ReportSchemas.assertValidSarif(SarifReport.render(List.of(), context(0)));
  }

  /** Every rule's helpUri anchor is a heading of docs/pipeline.md (GitHub's slug of it). */
  @Test
  void everyDocumentationAnchorExists() throws Exception {
    List<String> slugs =
        Files.readAllLines(Path.of("..", "docs", "pipeline.md")).stream()
            .filter(line -> line.startsWith("#"))
            .map(line -> line.replaceFirst("^#+\\s*", "").toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'))
            .toList();
    for (String code : FindingCatalog.all().keySet()) {
      String page = FindingCatalog.documentation(code);
      assertTrue(page.startsWith("pipeline.md#"), page);
      assertTrue(slugs.contains(page.substring("pipeline.md#".length())), code + ": " + page);
    }
  }

  @Test
  void junitValidatesAndCountsFailures() throws Exception {
    byte[] xml = JUnitReport.render(ENTRIES, "kiln gate");
    ReportSchemas.assertValidJUnit(xml);
    String text = new String(xml, StandardCharsets.UTF_8);
    assertTrue(text.contains("<testsuites name=\"kiln gate\" tests=\"5\" failures=\"1\""), text);
    assertTrue(text.contains("&lt;not&gt;"), text);
  }

  @Test
  void theSchemasCatchBrokenReports() {
    assertThrows(
        AssertionError.class,
        () -> ReportSchemas.assertValidSarif(
            "{\"version\":\"2.1.0\",\"runs\":[{}]}".getBytes(StandardCharsets.UTF_8)));
    assertThrows(
        Exception.class,
        () -> ReportSchemas.assertValidJUnit(
            "<testsuites><testsuite name=\"x\"/></testsuites>".getBytes(StandardCharsets.UTF_8)));
  }
}
