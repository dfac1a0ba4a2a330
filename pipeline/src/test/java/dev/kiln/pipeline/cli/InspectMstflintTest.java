package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.build.ReservedSection;
import dev.kiln.inspector.build.SectionSpec;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ImageInfoFlag;
import dev.kiln.inspector.section.ReleaseDate;
import dev.kiln.inspector.section.UidEntry;
import dev.kiln.keys.SampleKey;
import dev.kiln.testkit.Mstflint;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kiln inspect --json} prints the same FW version, release date, PSID, part number,
 * description, product version, security attributes, security version, GUIDs and MACs as {@code
 * mstflint -i IMG query full}, and {@code kiln verify} agrees with {@code mstflint verify}, on images
 * the writer built (devices, sizes, options) and on images mstflint itself then changed ({@code
 * sign} unkeyed / RSA-2048 / RSA-4096, {@code set_public_keys}, {@code set_forbidden_versions}).
 */
class InspectMstflintTest {
  private static final Mstflint MSTFLINT = Mstflint.require();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static ImageDescription.Builder base(DeviceType device, String version, long size) {
    return ImageDescription.builder(device, FwVersion.parse(version))
        .imageSize(size)
        .releaseDate(ReleaseDate.parse("2025-11-03"))
        .psid("MT_" + device.cliName().toUpperCase() + "0077")
        .partNumber("MCX-" + device.cliName() + "-INSPECT")
        .description(device.displayName() + " image for the inspect agreement test")
        .productVersion("rel-" + version)
        .prsName(device.cliName() + "-inspect.prs")
        .securityVersion(device.ordinal() * 5L + 1)
        .guids(new UidEntry(0x98039b0300c0ffeeL + device.ordinal(), 16, 1))
        .macs(UidEntry.mac(0x98039bc0ff00L + device.ordinal(), 16))
        .section(SectionSpec.random(SectionType.HW_BOOT_CFG, 0x300, 5))
        .section(SectionSpec.random(SectionType.MAIN_CODE, 0x2000, 6));
  }

  static Stream<ImageDescription> builtImages() {
    return Stream.of(
        base(DeviceType.CX5, "16.35.4030", 48 * 1024).build(),
        base(DeviceType.CX6DX, "22.41.1000", 1 << 20)
            .flag(ImageInfoFlag.SIGNED_FW, true)
            .reserve(ReservedSection.values())
            .build(),
        base(DeviceType.CX6LX, "26.0100.0012", 4 << 20)
            .flag(ImageInfoFlag.SECURE_FW, true)
            .flag(ImageInfoFlag.DEBUG_FW, true)
            .reserve(ReservedSection.IMAGE_SIGNATURE_512, ReservedSection.PUBLIC_KEYS_4096)
            .build(),
        base(DeviceType.CX7, "28.43.1014", 2 << 20)
            .hashesTable(true)
            .flag(ImageInfoFlag.SECURE_FW, true)
            .reserve(ReservedSection.IMAGE_SIGNATURE_256, ReservedSection.PUBLIC_KEYS_2048)
            .build());
  }

  @ParameterizedTest
  @MethodSource("builtImages")
  void writerImagesAgree(ImageDescription description) throws Exception {
    Path image = dir.resolve("built.bin");
    ImageWriter.write(description, image, true);
    assertAgreement(image);
  }

  /** Each step changes the image with mstflint, then kiln and mstflint must still agree. */
  @Test
  void imagesChangedByMstflintAgree() throws Exception {
    Path image = dir.resolve("changed.bin");
    ImageWriter.write(base(DeviceType.CX6DX, "22.39.2048", 1 << 20)
        .reserve(ReservedSection.IMAGE_SIGNATURE_256, ReservedSection.IMAGE_SIGNATURE_512,
            ReservedSection.PUBLIC_KEYS_2048, ReservedSection.FORBIDDEN_VERSIONS)
        .build(), image, true);
    assertAgreement(image);

    mstflint(image, "sign"); // unkeyed SHA-256 digest
    assertAgreement(image);

    Fs4Image parsed = ImageParser.parse(image);
    int keysSize = (int) parsed.section(SectionType.PUBLIC_KEYS_2048).orElseThrow().size();
    byte[] keys = new byte[keysSize];
    new Random(9).nextBytes(keys);
    keys[0] = 0;
    keys[1] = 0;
    keys[2] = 0;
    keys[3] = 3; // auth_type 3: a 2048-bit key list
    Path keysFile = Files.write(dir.resolve("keys.bin"), keys);
    mstflint(image, "set_public_keys", keysFile.toString());
    assertAgreement(image);

    int forbiddenSize =
        (int) ImageParser.parse(image).section(SectionType.FORBIDDEN_VERSIONS).orElseThrow().size();
    byte[] forbidden = new byte[forbiddenSize];
    new Random(10).nextBytes(forbidden);
    Path forbiddenFile = Files.write(dir.resolve("forbidden.bin"), forbidden);
    mstflint(image, "set_forbidden_versions", forbiddenFile.toString());
    assertAgreement(image);

    for (SampleKey key : SampleKey.values()) {
      Path pem = Files.writeString(dir.resolve(key.baseName() + ".pem"), key.privateKeyPem(),
          StandardCharsets.US_ASCII);
      mstflint(image, "--private_key", pem.toString(), "--key_uuid", key.uuid().toString(), "sign");
      JsonNode json = assertAgreement(image);
      String uuid = key.uuid().toString();
      String section = key.bits() == 2048 ? "IMAGE_SIGNATURE_256" : "IMAGE_SIGNATURE_512";
      boolean found = false;
      for (JsonNode signature : json.get("signatures")) {
        if (signature.get("section").asText().equals(section)) {
          assertEquals(uuid, signature.get("keypairUuid").asText());
          found = true;
        }
      }
      assertTrue(found, json.toString());
    }
  }

  /** rsa_sign (secure boot v1) fills RSA_PUBLIC_KEY; kiln shows the key and still agrees. */
  @Test
  void rsaSignedImageAgreesAndShowsTheSecureBootKey() throws Exception {
    Path image = dir.resolve("rsa.bin");
    ImageWriter.write(base(DeviceType.CX6DX, "22.41.4096", 1 << 20)
        .flag(ImageInfoFlag.SECURE_FW, true)
        .reserve(ReservedSection.values())
        .build(), image, true);
    SampleKey key = SampleKey.RSA_4096;
    Path pem = Files.writeString(dir.resolve("k.pem"), key.privateKeyPem(),
        StandardCharsets.US_ASCII);
    String pemBody = key.publicKeyPem().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    java.security.interfaces.RSAPublicKey publicKey =
        (java.security.interfaces.RSAPublicKey) java.security.KeyFactory.getInstance("RSA")
            .generatePublic(new java.security.spec.X509EncodedKeySpec(
                java.util.Base64.getDecoder().decode(pemBody)));
    byte[] modulus = publicKey.getModulus().toByteArray();
    byte[] exact = java.util.Arrays.copyOfRange(modulus, modulus.length - 512, modulus.length);
    // mstflint wants exactly 1024 hex digits and no newline.
    Path hex = Files.writeString(dir.resolve("k.hex"),
        java.util.HexFormat.of().formatHex(exact), StandardCharsets.US_ASCII);
    mstflint(image, "--private_key", pem.toString(), "--public_key", hex.toString(),
        "--key_uuid", key.uuid().toString(), "rsa_sign");
    JsonNode json = assertAgreement(image);
    JsonNode rsa = json.get("rsaPublicKeys");
    assertEquals(1, rsa.size(), json.toString());
    assertEquals(4096, rsa.get(0).get("keyBits").asInt());
    assertEquals(0x10001, rsa.get(0).get("exponent").asInt());
    assertEquals(key.uuid().toString(), rsa.get(0).get("keypairUuid").asText());
  }

  private static void mstflint(Path image, String... args) {
    List<String> all = new ArrayList<>(List.of("-i", image.toString()));
    all.addAll(List.of(args));
    Mstflint.Result result = MSTFLINT.run(120, all);
    assertEquals(0, result.exitCode(), String.join(" ", args) + ": " + result.output());
  }

  /**
   * When MFG_INFO's GUIDs differ from DEV_INFO's, query full adds "Orig Base GUID/MAC" lines with
   * the MFG_INFO values; kiln inspect prints the same block, line for line.
   */
  @Test
  void origUidLinesMatchQueryFullWhenMfgInfoDiffers() throws Exception {
    Path image = dir.resolve("orig.bin");
    ImageWriter.write(base(DeviceType.CX6DX, "22.41.1000", 1 << 20).build(), image, true);
    byte[] bytes = Files.readAllBytes(image);
    Fs4Image parsed = ImageParser.parse(bytes, "orig");
    var mfg = parsed.section(SectionType.MFG_INFO).orElseThrow();
    int at = (int) mfg.offset();
    java.nio.ByteBuffer view = java.nio.ByteBuffer.wrap(bytes);
    view.putLong(at + 0x20 + 8, 0x0002c90300aabb00L); // MFG_INFO base GUID
    view.putInt(at + 0x30, 0); // MFG_INFO MAC count and step: none allocated
    dev.kiln.inspector.format.TocEntry.of(mfg.type(), mfg.address(), mfg.size(),
            mfg.entry().crcMode(),
            dev.kiln.inspector.format.Crc16.sw(bytes, at, (int) mfg.size()))
        .writeTo(view, (int) mfg.entryOffset());
    Files.write(image, bytes);

    Mstflint.Result query = MSTFLINT.queryFull(image);
    assertEquals(0, MSTFLINT.verify(image).exitCode(), query.output());
    VerifyCommandTest.Run kiln = VerifyCommandTest.kiln("inspect", image.toString());
    List<String> expected = uidBlock(query.stdout());
    assertEquals(5, expected.size(), query.stdout()); // header, GUID, MAC and both Orig lines
    assertEquals(expected, uidBlock(kiln.out()));
  }

  /** The header and Base/Orig GUID and MAC lines, as printed. */
  private static List<String> uidBlock(String text) {
    return text.lines()
        .filter(line -> line.matches("(Orig )?Base (GUID|MAC):.*")
            || line.matches("Description:\\s+UID\\s+GuidsNumber"))
        .toList();
  }

  /** A UID count as query full prints it: N/A when none are allocated. */
  private static String printedCount(JsonNode uid) {
    int count = uid.get("count").asInt();
    return count == 0 ? "N/A" : Integer.toString(count);
  }

  /** A JSON string's text, or null for JSON null. */
  private static String text(JsonNode node) {
    return node.isNull() ? null : node.asText();
  }

  /** Compares kiln inspect --json with query full and kiln verify with mstflint verify. */
  static JsonNode assertAgreement(Path image) throws IOException {
    Mstflint.Result verify = MSTFLINT.verify(image);
    assertEquals(0, verify.exitCode(), verify.output());
    Mstflint.Result query = MSTFLINT.queryFull(image);
    assertEquals(0, query.exitCode(), query.output());

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KilnCli.run(new PrintWriter(out, true), new PrintWriter(err, true), "inspect",
        "--json", image.toString());
    assertEquals(0, code, err + out.toString());
    JsonNode json = JSON.readTree(out.toString());
    assertEquals(query.field("Image type"), json.get("format").asText());
    assertEquals(query.field("FW Version"), json.get("fwVersion").asText());
    assertEquals(query.field("FW Release Date"), json.get("releaseDate").asText());
    assertEquals(query.field("PSID"), json.get("psid").asText());
    // mstflint prints no line for an empty part number, description or product version; kiln's
    // JSON has null there.
    assertEquals(query.field("Part Number"), text(json.get("partNumber")));
    String description = query.field("Description");
    if (description != null && description.matches("UID\\s+GuidsNumber.*")) {
      description = null; // no image description line: this is the GUID table's header
    }
    assertEquals(description, text(json.get("description")));
    assertEquals(query.field("Product Version"), text(json.get("productVersion")));
    assertEquals(query.field("Security Attributes"), json.get("securityAttributes").asText());
    // FS3 images have no security version: no line, JSON null.
    assertEquals(query.field("Security Ver"), text(json.get("securityVersion")));
    assertEquals(query.field("Default Update Method"), json.get("defaultUpdateMethod").asText());
    JsonNode guid = json.get("guids").get(0);
    assertEquals(query.field("Base GUID").replaceAll("\\s+", " "),
        guid.get("base").asText() + " " + printedCount(guid));
    JsonNode mac = json.get("macs").get(0);
    assertEquals(query.field("Base MAC").replaceAll("\\s+", " "),
        mac.get("base").asText() + " " + printedCount(mac));
    assertTrue(json.get("passed").asBoolean());
    assertTrue(json.get("sections").size() > 3);
    for (JsonNode section : json.get("sections")) {
      assertTrue(!section.get("crcOk").isBoolean() || section.get("crcOk").asBoolean(),
          section.toString());
    }

    StringWriter verifyOut = new StringWriter();
    int verifyCode = KilnCli.run(new PrintWriter(verifyOut, true), new PrintWriter(err, true),
        "verify", image.toString());
    assertEquals(0, verifyCode, verifyOut.toString());
    return json;
  }
}
