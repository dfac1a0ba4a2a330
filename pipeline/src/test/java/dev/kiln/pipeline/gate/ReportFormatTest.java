package dev.kiln.pipeline.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.pipeline.report.JUnitReport;
import dev.kiln.pipeline.report.ReportEntry;
import dev.kiln.pipeline.report.SarifReport;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report writers against the SARIF 2.1.0 schema and the JUnit XSD. */
class ReportFormatTest {
  static final List<ReportEntry> ENTRIES =
      List.of(
          new ReportEntry(
              "out/fw signed.bin", List.of("UNSIGNED", "PSID_MISMATCH"),
              List.of(
                  CheckFinding.error("PSID_MISMATCH", "image is for MT_1 <not> \"MT_2\" & co"),
                  CheckFinding.warning("FEED_STALE", "feed expires soon"))),
          new ReportEntry("out/ok.bin", List.of("UNSIGNED", "PSID_MISMATCH"), List.of()));

  @Test
  void sarifValidatesAndNamesRulesAndLocations() throws Exception {
    byte[] sarif = SarifReport.render(ENTRIES, "0.1.0", code -> "rule " + code);
    ReportSchemas.assertValidSarif(sarif);
    JsonNode run = new ObjectMapper().readTree(sarif).get("runs").get(0);
    assertEquals(2, run.get("results").size());
    assertEquals("PSID_MISMATCH", run.get("results").get(0).get("ruleId").asText());
    assertEquals(
        "out/fw%20signed.bin",
        run.get("results").get(0).at("/locations/0/physicalLocation/artifactLocation/uri")
            .asText());
  }

  @Test
  void emptySarifValidates() throws Exception {
    ReportSchemas.assertValidSarif(SarifReport.render(List.of(), null, code -> code));
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
