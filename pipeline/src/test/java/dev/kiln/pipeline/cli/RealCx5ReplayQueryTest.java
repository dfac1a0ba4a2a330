package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.testkit.SharedFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code kiln query --device replay:…/registers.json} over what a real ConnectX-5 Ex answered to
 * {@code mstflint query full} (shared fixture {@code real-cx5-query}) prints what mstflint printed
 * for that adapter, field by field, as far as kiln's query has the field.
 */
class RealCx5ReplayQueryTest {
  static final Path FIXTURE = SharedFixtures.directory("real-cx5-query");
  static final String DEVICE = "replay:" + FIXTURE.resolve("registers.json");

  /**
   * mstflint's label to kiln's, for the lines both print. The value compared is the same fact:
   * mstflint's Base GUID/MAC are the NV base values (MNVDA), which kiln prints as NV Base GUID/MAC.
   */
  static final Map<String, String> KILN_LABEL =
      Map.of(
          "FW Version", "FW Version",
          "FW Release Date", "FW Release Date",
          "Part Number", "Part Number",
          "Description", "Description",
          "Product Version", "Product Version",
          "Base GUID", "NV Base GUID",
          "Base MAC", "NV Base MAC",
          "PSID", "PSID",
          "Security Attributes", "Security Attributes",
          "Default Update Method", "Default Update Method");

  /**
   * mstflint lines kiln's device query has no equivalent for: the image type and the VSD strings
   * (MQIS IMAGE_VSD/DEVICE_VSD, empty on this adapter), the ROM info and the GUID table header
   * (both read from the flash image, which a controlled-update query does not read).
   */
  static final Set<String> NOT_IN_KILN_QUERY =
      Set.of("Image type", "Rom Info", "Image VSD", "Device VSD", "Description (UID table)", "");

  /** One printed line: label, the value as far as strace kept it, whether it is whole. */
  record Printed(String label, String value, boolean whole) {}

  static List<Printed> mstflintPrinted() throws Exception {
    List<Printed> lines = new ArrayList<>();
    String previous = "";
    for (String raw :
        Files.readAllLines(FIXTURE.resolve("mstflint-stdout-prefixes.txt"), StandardCharsets.UTF_8)) {
      boolean whole = raw.endsWith("\\n");
      String line = whole ? raw.substring(0, raw.length() - 2) : raw;
      int colon = line.indexOf(':');
      String label = colon < 0 ? "" : line.substring(0, colon).strip();
      String value = colon < 0 ? line.strip() : line.substring(colon + 1).strip();
      if (label.equals("Description") && previous.equals("Rom Info")) {
        label = "Description (UID table)";
      }
      if (!label.isEmpty()) {
        previous = label;
      }
      lines.add(new Printed(label, value, whole));
    }
    return lines;
  }

  static Map<String, String> fields(String text) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        fields.putIfAbsent(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
      }
    }
    return fields;
  }

  @Test
  void textPrintsWhatMstflintPrintedForTheAdapter() throws Exception {
    Run run = kiln("query", "--device", DEVICE);
    assertEquals(0, run.exitCode(), run.err());
    Map<String, String> kiln = fields(run.out());
    int compared = 0;
    for (Printed printed : mstflintPrinted()) {
      if (NOT_IN_KILN_QUERY.contains(printed.label())) {
        continue;
      }
      String label = KILN_LABEL.get(printed.label());
      assertTrue(label != null, "mstflint printed '" + printed.label() + "': map it or list why not");
      String ours = kiln.get(label);
      assertTrue(ours != null, "kiln query prints no '" + label + ":' line:\n" + run.out());
      if (printed.whole()) {
        assertEquals(printed.value(), ours, label);
      } else {
        assertTrue(ours.startsWith(printed.value()),
            label + ": mstflint printed '" + printed.value() + "…', kiln '" + ours + "'");
      }
      compared++;
    }
    assertEquals(KILN_LABEL.size(), compared);
    // Facts of the fixture README the prefixes cut off or mstflint does not print.
    assertEquals("16.35.4506", kiln.get("FW Version"));
    assertEquals("22.12.2024", kiln.get("FW Release Date"));
    assertEquals("MT_0000000013", kiln.get("PSID"));
    assertEquals("0x20d (PCI device id 0x1019)", kiln.get("HW Device ID")); // 15b3:1019
    assertEquals("ConnectX-5", kiln.get("Device Type"));
    assertEquals("043f72eae210", kiln.get("Base MAC"));
  }

  @Test
  void jsonCarriesTheSameValues() throws Exception {
    // The adapter was not asked for its image (mstflint's query does not read it back), so the
    // profile is taken without the read-back.
    Run run = kiln("query", "--device", DEVICE, "--json", "--no-read-back");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode json = new ObjectMapper().readTree(run.out());
    Map<String, String> printed = new LinkedHashMap<>();
    for (Printed line : mstflintPrinted()) {
      printed.putIfAbsent(line.label(), line.value());
    }
    assertTrue(json.get("runningVersion").asText().startsWith(printed.get("FW Version")));
    assertTrue(json.get("releaseDate").asText().startsWith(printed.get("FW Release Date")));
    assertTrue(json.get("psid").asText().startsWith(printed.get("PSID")));
    assertEquals(printed.get("Security Attributes"), json.get("securityAttributes").asText());
    assertEquals(printed.get("Default Update Method"), json.get("updateMethod").asText());
    assertTrue(json.get("nvBaseGuid").asText().startsWith(printed.get("Base GUID")));
    assertTrue(json.get("nvBaseMac").asText().startsWith(printed.get("Base MAC")));
    assertEquals("16.35.4506", json.get("runningVersion").asText());
    assertTrue(json.get("pendingVersion").isNull());
    assertEquals("0x20d", json.get("hwDeviceId").asText());
    assertEquals("0x1019", json.get("pciDeviceId").asText()); // hex, as hwDeviceId
    assertEquals(false, json.get("secured").asBoolean());
  }

  @Test
  void aRequestTheAdapterWasNeverAskedFailsWithTheRegisterAndExit5() {
    // The read-back asks MGIR a second time; the transcript holds one MGIR answer.
    Run readBack = kiln("query", "--device", DEVICE, "--json");
    assertEquals(ExitCodes.DEVICE, readBack.exitCode(), readBack.err());
    assertEquals("kiln: " + DEVICE + ": no recorded answer left for MGIR (0x9020) GET (the"
        + " recording answered it 1 time)\n", readBack.err());
    // mstflint never reset the adapter: the reset's MFRL has no recorded answer at all.
    Run reset = kiln("device", "reset", "--device", DEVICE);
    assertEquals(ExitCodes.DEVICE, reset.exitCode(), reset.err());
    assertEquals("kiln: " + DEVICE + ": the recording holds no answer to MFRL (0x9028) GET\n",
        reset.err());
  }

  @Test
  void aReplayIsReadOnly() {
    Run run = kiln("device", "set-guids", "--device", DEVICE, "--guid", "0002c90300000099",
        "--mac", "0002c9000099");
    assertEquals(ExitCodes.DEVICE, run.exitCode(), run.err());
    assertEquals("kiln: " + DEVICE + " is read-only: it answers only the writes it recorded, and"
        + " holds no MNVDA (0x9024) SET with a 28-byte payload\n", run.err());
  }
}
