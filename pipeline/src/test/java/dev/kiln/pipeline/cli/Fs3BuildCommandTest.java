package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BuildCommandTest.kiln;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageFormat;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.cli.BuildCommandTest.Run;
import dev.kiln.testkit.Mstflint;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code kiln build} of FS3 images: the ConnectX-4 Lx sample ({@code samples/cx4lx-sample.json},
 * docs/image-description.md) builds an image that mstflint verifies and queries back to the
 * described values, for ConnectX-4 too; what an FS3 image cannot hold is refused with exit 1.
 */
class Fs3BuildCommandTest {
  private static final Mstflint MSTFLINT = Mstflint.require();
  private static final Path REPO_SAMPLE = Path.of("..", "samples", "cx4lx-sample.json");
  private static final String RESOURCE_SAMPLE = "/dev/kiln/pipeline/samples/cx4lx-sample.json";

  @TempDir Path dir;

  @Test
  void embeddedSampleIsTheRepositorySample() throws Exception {
    try (InputStream in = Fs3BuildCommandTest.class.getResourceAsStream(RESOURCE_SAMPLE)) {
      assertArrayEquals(Files.readAllBytes(REPO_SAMPLE), in.readAllBytes());
    }
  }

  /** The command of docs/image-description.md, on the repository's sample as shipped. */
  @Test
  void sampleBuildsAnFs3ImageMstflintAcceptsAndDescribes() throws Exception {
    Path image = dir.resolve("cx4lx.bin");
    Run run = kiln("build", REPO_SAMPLE.toString(), "--out", image.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertEquals("Built " + image + ": cx4lx 14.32.1010, 1048576 bytes, 12 ITOC sections",
        run.out().strip());
    Mstflint.Result verify = MSTFLINT.verify(image);
    assertEquals(0, verify.exitCode(), verify.output());
    assertTrue(verify.output().contains("FS3 failsafe image"), verify.output());
    JsonNode json = new ObjectMapper().readTree(REPO_SAMPLE.toFile());
    Mstflint.Result query = MSTFLINT.queryFull(image);
    assertEquals(0, query.exitCode(), query.output());
    assertEquals("FS3", query.field("Image type"));
    assertEquals(json.get("fwVersion").asText(), query.field("FW Version"));
    assertEquals("21.2.2023", query.field("FW Release Date"));
    assertEquals(json.get("psid").asText(), query.field("PSID"));
    assertEquals(json.get("partNumber").asText(), query.field("Part Number"));
    assertEquals(json.get("description").asText(), query.field("Description"));
    assertEquals(json.get("productVersion").asText(), query.field("Product Version"));
    assertEquals(json.get("vsd").asText(), query.field("Image VSD"));
    assertEquals(json.get("deviceVsd").asText(), query.field("Device VSD"));
    assertEquals("248a070300b1c200 4", query.field("Base GUID").replaceAll("\\s+", " "));
    assertEquals("248a07b1c200 4", query.field("Base MAC").replaceAll("\\s+", " "));
    InspectMstflintTest.assertAgreement(image);

    Fs4Image parsed = ImageParser.parse(image);
    assertEquals(ImageFormat.FS3, parsed.format());
    ForbiddenVersions forbidden = ForbiddenVersions.decode(
        parsed.bodyBytes(parsed.section(SectionType.FORBIDDEN_VERSIONS).orElseThrow()));
    assertTrue(forbidden.forbids(FwVersion.parse("14.31.1014")));
    assertFalse(forbidden.forbids(FwVersion.parse("14.32.1010")));
  }

  /** ConnectX-4 (HW id 0x209, PCI 0x1013) and 4 Lx (0x20b, 0x1015): the ids kiln shows. */
  @ParameterizedTest
  @ValueSource(strings = {"cx4", "cx4lx"})
  void bothFs3DevicesBuildWithTheirIds(String device) throws Exception {
    Path description = Files.writeString(dir.resolve(device + ".json"), """
        {"device": "%s", "format": "fs3", "fwVersion": "12.28.2006", "psid": "MT_2190110032",
         "releaseDate": "2020-09-13",
         "guids": {"base": "7cfe900300a1b200", "count": 8},
         "macs": {"base": "7c:fe:90:a1:b2:00", "count": 8}, "imageSize": "64KiB",
         "sections": [{"type": "MAIN_CODE", "size": "0x400", "seed": 1}]}
        """.formatted(device));
    Path image = dir.resolve(device + ".bin");
    Run run = kiln("build", description.toString(), "--out", image.toString());
    assertEquals(0, run.exitCode(), run.err());
    InspectMstflintTest.assertAgreement(image);
    Run inspect = kiln("inspect", "--json", image.toString());
    JsonNode json = new ObjectMapper().readTree(inspect.out());
    boolean lx = device.equals("cx4lx");
    assertEquals(lx ? 0x20B : 0x209, json.get("deviceIds").get(0).get("hwId").asInt());
    assertEquals(lx ? 0x1015 : 0x1013, json.get("pci").get("deviceId").asInt());
    assertEquals("12.28.2006", MSTFLINT.queryFull(image).field("FW Version"));
  }

  @Test
  void whatAnFs3ImageCannotHoldIsRefused() throws Exception {
    String base = "\"fwVersion\": \"14.32.1010\", \"format\": \"fs3\"";
    assertRefused("{\"device\": \"cx5\", " + base + "}", "format fs3 is the ConnectX-4");
    assertRefused("{\"device\": \"cx4lx\", " + base + ", \"securityVersion\": 2}",
        "no security version");
    assertRefused("{\"device\": \"cx4lx\", " + base + ", \"reserve\": [\"RSA_PUBLIC_KEY\"]}",
        "RSA_PUBLIC_KEY is an FS4 section");
    assertRefused("{\"device\": \"cx4lx\", \"fwVersion\": \"14.32.1010\", \"format\": \"fs2\"}",
        "format: 'fs2' is not fs4 or fs3");
  }

  private void assertRefused(String json, String message) throws Exception {
    Path description = Files.writeString(dir.resolve("bad.json"), json);
    Path image = dir.resolve("bad.bin");
    Run run = kiln("build", description.toString(), "--out", image.toString());
    assertEquals(ExitCodes.CHECK_FAILED, run.exitCode(), run.err());
    assertTrue(run.err().startsWith("kiln: ") && run.err().contains(message), run.err());
    assertFalse(Files.exists(image));
  }
}
