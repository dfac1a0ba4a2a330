package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.build.ReservedSection;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.testkit.Mstflint;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln verify} and {@code kiln inspect} on good and corrupted images, text and JSON. */
class VerifyCommandTest {
  private static final Mstflint MSTFLINT = Mstflint.require();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  Path good;
  Path corrupt;

  record Run(int exitCode, String out, String err) {}

  static Run kiln(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KilnCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeEach
  void images() throws Exception {
    good = writeGoodImage(dir.resolve("good.bin"));
    corrupt = writeWithBadBoot2Crc(good, dir.resolve("corrupt.bin"));
  }

  /** A valid 1 MiB ConnectX-6 Dx image with a signature and a public-key section reserved. */
  static Path writeGoodImage(Path target) throws Exception {
    ImageDescription description =
        InspectMstflintTest.base(DeviceType.CX6DX, "22.41.1010", 1 << 20)
            .reserve(ReservedSection.IMAGE_SIGNATURE_256, ReservedSection.PUBLIC_KEYS_2048)
            .build();
    ImageWriter.write(description, target, true);
    return target;
  }

  /** A copy of {@code good} with one byte of the BOOT2 payload flipped: its CRC no longer matches. */
  static Path writeWithBadBoot2Crc(Path good, Path target) throws Exception {
    byte[] bytes = Files.readAllBytes(good);
    bytes[0x1000 + 0x40] ^= 0x10;
    return Files.write(target, bytes);
  }

  @Test
  void goodImagePasses() {
    Run run = kiln("verify", good.toString());
    assertEquals(0, run.exitCode(), run.out() + run.err());
    assertEquals(good + ": OK (0 errors, 0 warnings)", run.out().strip());
    assertEquals("", run.err());
  }

  @Test
  void corruptImageFailsLikeMstflintAndNamesTheStructure() {
    Mstflint.Result reference = MSTFLINT.verify(corrupt);
    assertEquals(1, reference.exitCode(), reference.output());
    assertTrue(reference.output().contains("(BOOT2)"), reference.output());
    Run run = kiln("verify", corrupt.toString());
    assertEquals(1, run.exitCode());
    assertTrue(run.out().startsWith(corrupt + ": FAILED (1 errors"), run.out());
    assertTrue(run.out().contains("error   BOOT2_CRC BOOT2 @0x1000: wrong CRC"), run.out());
    assertFalse(run.out().contains("Exception"));
  }

  @Test
  void manyImagesInOneRunWithJson() throws Exception {
    Run run = kiln("verify", "--json", good.toString(), corrupt.toString(), good.toString());
    assertEquals(1, run.exitCode());
    JsonNode root = JSON.readTree(run.out());
    assertFalse(root.get("passed").asBoolean());
    assertEquals(1, root.get("exitCode").asInt());
    JsonNode images = root.get("images");
    assertEquals(3, images.size());
    assertTrue(images.get(0).get("passed").asBoolean());
    assertFalse(images.get(1).get("passed").asBoolean());
    JsonNode finding = images.get(1).get("findings").get(0);
    assertEquals("BOOT2_CRC", finding.get("code").asText());
    assertEquals("ERROR", finding.get("severity").asText());
    assertEquals("BOOT2", finding.get("structure").asText());
    assertEquals(0x1000, finding.get("offset").asInt());
  }

  @Test
  void unreadableInputWinsOverFailedCheck() {
    Run run = kiln("verify", corrupt.toString(), dir.resolve("nope.bin").toString());
    assertEquals(3, run.exitCode());
    assertEquals("kiln: " + dir.resolve("nope.bin") + ": no such file", run.err().strip());
  }

  @Test
  void inspectShowsQueryFieldsTocAndBootLayout() {
    Run run = kiln("inspect", "--toc", "--boot", good.toString());
    assertEquals(0, run.exitCode(), run.err());
    String out = run.out();
    assertTrue(out.contains("FW Version:            22.41.1010"), out);
    assertTrue(out.contains("Part Number:           MCX-cx6dx-INSPECT"), out);
    assertTrue(out.contains("HW pointer  1 boot2_ptr"), out);
    assertTrue(out.contains("BOOT2        at 0x00001000"), out);
    assertTrue(out.contains("tools area: bin version 1.0"), out);
    assertTrue(out.contains("ITOC at 0x"), out);
    assertTrue(out.contains("IMAGE_INFO"), out);
    assertTrue(out.contains("DTOC at 0xff000"), out);
    assertTrue(out.contains("Verification: OK"), out);
  }

  @Test
  void inspectJsonHasTheDocumentedKeys() throws Exception {
    Run run = kiln("inspect", "--json", good.toString());
    assertEquals(0, run.exitCode(), run.err());
    JsonNode root = JSON.readTree(run.out());
    for (String key : new String[] {"format", "fwVersion", "releaseDate", "psid", "partNumber",
        "description", "productVersion", "securityAttributes", "securityVersion", "deviceIds",
        "guids", "macs", "sections", "findings"}) {
      assertTrue(root.has(key), key + " missing: " + run.out());
    }
    assertEquals(0x212, root.get("deviceIds").get(0).get("hwId").asInt());
    assertEquals("cx6dx", root.get("deviceIds").get(0).get("device").asText());
    JsonNode section = root.get("sections").get(0);
    for (String key : new String[] {"name", "type", "offset", "size", "crcOk"}) {
      assertTrue(section.has(key), key + " missing in " + section);
    }
    assertEquals("IMAGE_INFO", section.get("name").asText());
    assertEquals(0x10, section.get("type").asInt());
    assertEquals(0x400, section.get("size").asInt());
    assertTrue(section.get("crcOk").asBoolean());
    assertEquals(0, root.get("findings").size());
  }

  @Test
  void inspectOfACorruptImageShowsItAndExitsOne() throws Exception {
    Run run = kiln("inspect", "--json", corrupt.toString());
    assertEquals(1, run.exitCode());
    JsonNode root = JSON.readTree(run.out());
    assertEquals("22.41.1010", root.get("fwVersion").asText());
    assertFalse(root.get("passed").asBoolean());
    assertEquals("BOOT2", root.get("findings").get(0).get("structure").asText());
    assertEquals(16, root.get("boot").get("hwPointers").size());
  }
}
