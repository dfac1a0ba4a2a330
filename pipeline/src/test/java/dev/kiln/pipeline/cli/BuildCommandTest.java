package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.testkit.Mstflint;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln build}: the sample and hand-written descriptions, against mstflint; bad input. */
class BuildCommandTest {
  private static final Mstflint MSTFLINT = Mstflint.require();
  private static final Path REPO_SAMPLE = Path.of("..", "samples", "cx6dx-sample.json");
  private static final String RESOURCE_SAMPLE = "/dev/kiln/pipeline/samples/cx6dx-sample.json";

  @TempDir Path dir;

  record Run(int exitCode, String out, String err) {}

  static Run kiln(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KilnCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  private Path sample() throws Exception {
    Path file = dir.resolve("cx6dx-sample.json");
    try (InputStream in = BuildCommandTest.class.getResourceAsStream(RESOURCE_SAMPLE)) {
      Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return file;
  }

  @Test
  void embeddedSampleIsTheRepositorySample() throws Exception {
    try (InputStream in = BuildCommandTest.class.getResourceAsStream(RESOURCE_SAMPLE)) {
      assertArrayEquals(Files.readAllBytes(REPO_SAMPLE), in.readAllBytes());
    }
  }

  @Test
  void sampleBuildsAnImageMstflintAcceptsAndDescribes() throws Exception {
    Path image = dir.resolve("sample.bin");
    Run run = kiln("build", sample().toString(), "--out", image.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertEquals("Built " + image + ": cx6dx 22.41.1000, 1048576 bytes, 10 ITOC sections",
        run.out().strip());
    assertEquals("", run.err());

    Mstflint.Result verify = MSTFLINT.verify(image);
    assertEquals(0, verify.exitCode(), verify.output());
    JsonNode json = new ObjectMapper().readTree(REPO_SAMPLE.toFile());
    Mstflint.Result query = MSTFLINT.queryFull(image);
    assertEquals(0, query.exitCode(), query.output());
    assertEquals(json.get("fwVersion").asText(), query.field("FW Version"));
    assertEquals("15.3.2024", query.field("FW Release Date"));
    assertEquals(json.get("psid").asText(), query.field("PSID"));
    assertEquals(json.get("partNumber").asText(), query.field("Part Number"));
    assertEquals(json.get("description").asText(), query.field("Description"));
    assertEquals(json.get("prsName").asText(), query.field("PRS Name"));
    assertEquals(json.get("productVersion").asText(), query.field("Product Version"));
    assertEquals(json.get("vsd").asText(), query.field("Image VSD"));
    assertEquals("secure-fw", query.field("Security Attributes"));
    assertEquals("1", query.field("Security Ver"));
    assertEquals("0c42a10300aa5500 8", query.field("Base GUID").replaceAll("\\s+", " "));
    assertEquals("0c42a1aa5500 8", query.field("Base MAC").replaceAll("\\s+", " "));

    Fs4Image parsed = ImageParser.parse(image);
    ForbiddenVersions forbidden = ForbiddenVersions.decode(
        parsed.bodyBytes(parsed.section(SectionType.FORBIDDEN_VERSIONS).orElseThrow()));
    assertTrue(forbidden.forbids(FwVersion.parse("22.39.1002")));
    assertTrue(forbidden.forbids(FwVersion.parse("22.40.1500")));
    assertFalse(forbidden.forbids(FwVersion.parse("22.41.1000")));
    assertEquals(0, kiln("verify", image.toString()).exitCode());

    Mstflint.Result sign = MSTFLINT.onImage(image, "sign");
    assertEquals(0, sign.exitCode(), sign.output());
    assertEquals(0, MSTFLINT.verify(image).exitCode());
  }

  @Test
  void everyKeyOfTheFormatOnACx7ImageWithPayloadFiles() throws Exception {
    byte[] payload = new byte[0x10001];
    Arrays.fill(payload, (byte) 0x3C);
    Files.createDirectories(dir.resolve("payloads"));
    Files.write(dir.resolve("payloads/main.bin"), payload);
    Path description = dir.resolve("cx7.json");
    Files.writeString(description, """
        {
          "$comment": "every key",
          "device": "cx7",
          "fwVersion": "28.0100.0007",
          "releaseDate": "1.12.2025",
          "psid": "MT_0000000834",
          "partNumber": "MCX75310AAS-NEA_Ax",
          "description": "ConnectX-7 VPI adapter card",
          "productVersion": "28.100.7",
          "prsName": "cx7.prs",
          "vsd": "image vsd",
          "deviceVsd": "device vsd",
          "securityVersion": "0x10",
          "flags": ["mcc_en", "signed_fw", "debug_fw", "long_keys"],
          "guids": {"base": "a0:88:c2:03:00:11:22:33", "count": 16},
          "macs": {"base": "a088c2112233", "count": 16},
          "imageSize": "16MiB",
          "log2SlotSize": 23,
          "hashesTable": true,
          "boot2Dwords": 1024,
          "sections": [
            {"$comment": "from a file", "type": "MAIN_CODE", "file": "payloads/main.bin"},
            {"type": "0x08", "size": 512, "fill": 0},
            {"type": "DBG_FW_INI", "size": "1KiB", "seed": 9}
          ],
          "reserve": ["IMAGE_SIGNATURE_256", "IMAGE_SIGNATURE_512", "PUBLIC_KEYS_4096",
                      "FORBIDDEN_VERSIONS", "RSA_PUBLIC_KEY", "RSA_4096_SIGNATURES",
                      "HMAC_DIGEST"],
          "publicKeyEntries": 4,
          "forbiddenVersions": ["28.39.1002"],
          "forbiddenVersionsSize": "0x40"
        }
        """);
    Path image = dir.resolve("cx7.bin");
    Run run = kiln("build", description.toString(), "-o", image.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("hashes table"), run.out());
    assertEquals(16 << 20, Files.size(image));
    Mstflint.Result verify = MSTFLINT.verify(image);
    assertEquals(0, verify.exitCode(), verify.output());
    assertTrue(verify.stdout().contains("(HASHES_TABLE) - OK")
        || verify.stdout().contains("(HASHES_TABLE)"), verify.stdout());
    Mstflint.Result query = MSTFLINT.queryFull(image);
    assertEquals("28.0100.0007", query.field("FW Version"));
    assertEquals("1.12.2025", query.field("FW Release Date"));
    assertEquals("signed-fw, debug", query.field("Security Attributes"));
    assertEquals("16", query.field("Security Ver"));
    assertEquals("device vsd", query.field("Device VSD"));
    Fs4Image parsed = ImageParser.parse(image);
    assertEquals(0x10004, parsed.section(SectionType.MAIN_CODE).orElseThrow().size());
    assertEquals(0x40, parsed.section(SectionType.FORBIDDEN_VERSIONS).orElseThrow().size());
    assertEquals(4 * 0x220, parsed.section(SectionType.PUBLIC_KEYS_4096).orElseThrow().size());
    assertEquals(23, parsed.log2SlotSize());
  }

  @Test
  void refusesToReplaceAnImageWithoutForce() throws Exception {
    Path image = dir.resolve("keep.bin");
    Files.writeString(image, "precious");
    Run run = kiln("build", sample().toString(), "--out", image.toString());
    assertEquals(ExitCodes.USAGE, run.exitCode());
    assertEquals("kiln: " + image + ": already exists; pass --force to replace it",
        run.err().strip());
    assertEquals("precious", Files.readString(image));
    Run forced = kiln("build", sample().toString(), "--out", image.toString(), "--force");
    assertEquals(0, forced.exitCode(), forced.err());
    assertEquals(1 << 20, Files.size(image));
  }

  @Test
  void badDescriptionsFailWithOneLineAndNoOutput() throws Exception {
    Path image = dir.resolve("never.bin");
    assertFails(ExitCodes.UNREADABLE_INPUT, "kiln: " + dir.resolve("missing.json")
        + ": no such file", dir.resolve("missing.json"), image);
    assertFails(ExitCodes.UNREADABLE_INPUT, "kiln: " + dir + ": not a regular file", dir, image);
    assertFails(ExitCodes.UNREADABLE_INPUT, "not valid JSON (line 1, column 12)",
        write("broken.json", "{\"device\": "), image);
    assertFails(ExitCodes.UNREADABLE_INPUT, ": a description is a JSON object",
        write("array.json", "[1, 2]"), image);
    assertFails(ExitCodes.CHECK_FAILED, "unknown key \"fwversion\"; see docs/image-description.md",
        write("typo.json", "{\"device\": \"cx6dx\", \"fwversion\": \"1.2.3\"}"), image);
    assertFails(ExitCodes.CHECK_FAILED, ": fwVersion is required",
        write("noversion.json", "{\"device\": \"cx6dx\"}"), image);
    assertFails(ExitCodes.CHECK_FAILED,
        ": fwVersion: FW version '22.41' is not MAJOR.MINOR.SUBMINOR",
        write("version.json", "{\"device\": \"cx6dx\", \"fwVersion\": \"22.41\"}"), image);
    assertFails(ExitCodes.CHECK_FAILED, ": imageSize: expected a non-negative integer",
        write("size.json", "{\"device\": \"cx6dx\", \"fwVersion\": \"1.2.3\", "
            + "\"imageSize\": \"big\"}"), image);
    assertFails(ExitCodes.CHECK_FAILED,
        ": image size 40960 is below the minimum of 48 KiB (49152)",
        write("small.json", "{\"device\": \"cx6dx\", \"fwVersion\": \"1.2.3\", "
            + "\"imageSize\": \"40KiB\"}"), image);
    assertFails(ExitCodes.CHECK_FAILED, ": sections[0]: give either \"file\" or \"size\"",
        write("section.json", "{\"device\": \"cx6dx\", \"fwVersion\": \"1.2.3\", "
            + "\"sections\": [{\"type\": \"MAIN_CODE\"}]}"), image);
    assertFails(ExitCodes.CHECK_FAILED, ": reserve: 'SIGNATURE' is not a reservable section",
        write("reserve.json", "{\"device\": \"cx6dx\", \"fwVersion\": \"1.2.3\", "
            + "\"reserve\": [\"SIGNATURE\"]}"), image);
    assertFails(ExitCodes.CHECK_FAILED, ": psid: expected a string",
        write("psid.json", "{\"device\": \"cx6dx\", \"fwVersion\": \"1.2.3\", \"psid\": 7}"),
        image);
    assertFails(ExitCodes.UNREADABLE_INPUT,
        "nope.bin: payload of section MAIN_CODE is not a readable file",
        write("payload.json", "{\"device\": \"cx6dx\", \"fwVersion\": \"1.2.3\", "
            + "\"sections\": [{\"type\": \"MAIN_CODE\", \"file\": \"nope.bin\"}]}"), image);
    assertFalse(Files.exists(image));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".tmp")).toList());
    }
  }

  @Test
  void missingOutputDirectoryIsUnreadableInput() throws Exception {
    Path image = dir.resolve("no/such/dir/x.bin");
    Run run = kiln("build", sample().toString(), "--out", image.toString());
    assertEquals(ExitCodes.UNREADABLE_INPUT, run.exitCode());
    assertEquals("kiln: cannot write " + image + ": no such directory", run.err().strip());
  }

  @Test
  void outIsRequired() throws Exception {
    Run run = kiln("build", sample().toString());
    assertEquals(ExitCodes.USAGE, run.exitCode());
    assertTrue(run.err().startsWith("kiln: Missing required option: '--out=IMAGE'"), run.err());
  }

  private Path write(String name, String content) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    return file;
  }

  private static void assertFails(int code, String messagePart, Path description, Path image) {
    Run run = kiln("build", description.toString(), "--out", image.toString());
    assertEquals(code, run.exitCode(), run.err());
    assertEquals("", run.out());
    String err = run.err().strip();
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.startsWith("kiln: ") && err.contains(messagePart), err);
  }
}
