package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.bundle.SigningServiceSigner;
import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.pipeline.feed.FeedCodec;
import dev.kiln.pipeline.feed.FeedEntry;
import dev.kiln.pipeline.feed.ForbiddenVersionsFeed;
import dev.kiln.pipeline.gate.ReportSchemas;
import dev.kiln.signer.fs4.KeyUuid;
import dev.kiln.signer.fs4.PublicKeysFile;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.Section;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln gate}: fails closed, and its SARIF and JUnit reports validate. */
class GateCommandTest {
  @TempDir static Path dir;
  static Fixtures fixtures;
  static Path policy;
  static Path good;

  @BeforeAll
  static void setUp() throws Exception {
    fixtures = new Fixtures(dir);
    good = fixtures.signed(SampleFirmware.Spec.secure("22.41.1000"), "good");
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    ForbiddenVersionsFeed feed =
        new ForbiddenVersionsFeed(
            now.minus(1, ChronoUnit.DAYS), now.plus(30, ChronoUnit.DAYS), 3,
            List.of(
                new FeedEntry(
                    null, 0x212, List.of(FwVersion.parse("22.40.1000")), "CVE-2026-0002")));
    Files.write(
        dir.resolve("feed.json"),
        FeedCodec.sign(FeedCodec.toJson(feed), new SigningServiceSigner(fixtures.key)));
    policy = dir.resolve("policy.json");
    Files.writeString(
        policy,
        """
        {
          "trustedKeys": ["%s"],
          "requiredSignatures": ["IMAGE_SIGNATURE_256"],
          "allowedPsids": ["MT_0000000528"],
          "allowedDeviceIds": ["0x212"],
          "forbiddenFeed": {"path": "feed.json", "trustedKeys": ["%s"]},
          "minimumSecurityVersion": 1,
          "requireSecureFw": true
        }
        """.formatted(
            fixtures.publicKey.getFileName(), fixtures.publicKey.getFileName()),
        StandardCharsets.UTF_8);
  }

  @AfterAll
  static void tearDown() {
    fixtures.close();
  }

  static List<String> codes(Fixtures.Result result, int entry) throws Exception {
    JsonNode node = new ObjectMapper().readTree(result.out()).get(entry);
    List<String> codes = new ArrayList<>();
    node.get("findings").forEach(f -> codes.add(f.get("code").asText()));
    return codes;
  }

  static Fixtures.Result gate(Path... images) {
    List<String> args = new ArrayList<>(List.of("gate", "--policy", policy.toString(), "--json"));
    for (Path image : images) {
      args.add(image.toString());
    }
    return Fixtures.kiln(args.toArray(String[]::new));
  }

  @Test
  void goodImagePasses() throws Exception {
    Fixtures.Result result = gate(good);
    assertEquals(0, result.exitCode(), result.out() + result.err());
    assertEquals(List.of(), codes(result, 1));
  }

  @Test
  void eachViolationHasItsCode() throws Exception {
    SampleFirmware.Spec base = SampleFirmware.Spec.secure("22.41.1000");
    Path unsigned = fixtures.unsigned(base, "g-unsigned");
    Path untrusted = fixtures.signedByImpostor(base, "g-impostor");
    Path tampered = fixtures.signed(base, "g-tampered");
    flipByteInMainSection(tampered);
    Path psid = fixtures.signed(base.withPsid("MT_0000000999"), "g-psid");
    Path device = fixtures.signed(base.withDevice(DeviceType.CX6), "g-device");
    Path insecure = fixtures.signed(base.withSecure(false), "g-insecure");
    Path forbidden = fixtures.signed(SampleFirmware.Spec.secure("22.40.1000"), "g-forbidden");
    Path old = fixtures.signed(base.withSecurityVersion(0), "g-secver");
    Path garbage = dir.resolve("g-garbage.bin");
    Files.write(garbage, new byte[] {1, 2, 3});
    Fixtures.Result result =
        gate(unsigned, untrusted, tampered, psid, device, insecure, forbidden, old, garbage);
    assertEquals(1, result.exitCode(), result.err());
    // Entry 0 is the feed.
    assertEquals(List.of(), codes(result, 0));
    assertEquals(List.of("GATE_UNSIGNED"), codes(result, 1));
    // The impostor's signature does not verify with the image's own key either: a lock-out.
    assertEquals(
        List.of("GATE_UNTRUSTED_KEY", "GATE_MISSING_SIGNATURE", "GATE_KEY_LOCKOUT"),
        codes(result, 2));
    assertTrue(codes(result, 3).contains("GATE_SIGNATURE_INVALID"), codes(result, 3).toString());
    assertTrue(codes(result, 3).contains("GATE_MISSING_SIGNATURE"), codes(result, 3).toString());
    assertEquals(List.of("GATE_PSID_NOT_ALLOWED"), codes(result, 4));
    assertEquals(List.of("GATE_DEVICE_NOT_ALLOWED"), codes(result, 5));
    assertEquals(List.of("GATE_NOT_SECURE_FW"), codes(result, 6));
    assertEquals(List.of("GATE_FORBIDDEN_VERSION"), codes(result, 7));
    assertEquals(List.of("GATE_SECURITY_VERSION_TOO_LOW"), codes(result, 8));
    assertEquals(List.of("GATE_UNREADABLE_IMAGE"), codes(result, 9));
  }

  @Test
  void unknownKeyUuidFailsAgainstAKeysSectionTrustFile() throws Exception {
    Path keysFile = dir.resolve("trusted-keys.bin");
    Files.write(keysFile, PublicKeysFile.encode(List.of(fixtures.trusted), 0x220));
    Path uuidPolicy = dir.resolve("uuid-policy.json");
    Files.writeString(
        uuidPolicy,
        Files.readString(policy)
            .replace(
                "\"trustedKeys\": [\"" + fixtures.publicKey.getFileName() + "\"],\n  \"req",
                "\"trustedKeys\": [\"trusted-keys.bin\"],\n  \"req"));
    Path image =
        fixtures.signedWithUuid(
            SampleFirmware.Spec.secure("22.41.1000"), "g-uuid",
            KeyUuid.parse("0123456789abcdef0123456789abcdef"));
    Fixtures.Result result =
        Fixtures.kiln("gate", "--policy", uuidPolicy.toString(), "--json", image.toString(),
            good.toString());
    assertEquals(1, result.exitCode(), result.out() + result.err());
    // The image's PUBLIC_KEYS hold the trusted UUID, not the one it is signed under: a lock-out.
    assertEquals(
        List.of("GATE_UNTRUSTED_KEY", "GATE_MISSING_SIGNATURE", "GATE_KEY_LOCKOUT"),
        codes(result, 1));
    assertEquals(List.of(), codes(result, 2));
  }

  /**
   * Changes one byte in a reserved area of IMAGE_INFO, which the signature covers (the writer's
   * images have no code sections; the change also breaks the section's CRC).
   */
  static void flipByteInMainSection(Path image) throws Exception {
    Fs4Image parsed = ImageParser.parse(image);
    Section section =
        parsed.sections().stream()
            .filter(s -> s.name().equals("IMAGE_INFO"))
            .findFirst()
            .orElseThrow();
    byte[] bytes = Files.readAllBytes(image);
    bytes[(int) section.offset() + 0x3F0] ^= 0x01;
    Files.write(image, bytes);
  }

  @Test
  void reportsValidateAgainstTheirSchemas() throws Exception {
    Path unsigned = fixtures.unsigned(SampleFirmware.Spec.secure("22.41.1000"), "r-unsigned");
    Path sarif = dir.resolve("gate.sarif");
    Path junit = dir.resolve("gate.xml");
    Fixtures.Result result =
        Fixtures.kiln("gate", "--policy", policy.toString(), "--sarif", sarif.toString(),
            "--junit", junit.toString(), good.toString(), unsigned.toString());
    assertEquals(1, result.exitCode(), result.out() + result.err());
    assertTrue(result.out().contains("gate FAILED"), result.out());
    ReportSchemas.assertValidSarif(Files.readAllBytes(sarif));
    ReportSchemas.assertValidJUnit(Files.readAllBytes(junit));
    JsonNode run = new ObjectMapper().readTree(sarif.toFile()).get("runs").get(0);
    assertEquals("GATE_UNSIGNED", run.get("results").get(0).get("ruleId").asText());
    String xml = Files.readString(junit);
    assertTrue(xml.contains("<failure type=\"GATE_UNSIGNED\""), xml);
  }

  @Test
  void tamperedFeedFailsTheGateClosed() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode feed = (ObjectNode) mapper.readTree(dir.resolve("feed.json").toFile());
    ((ObjectNode) feed.get("feed")).put("sequence", 4);
    Path tamperedDir = Files.createDirectories(dir.resolve("tampered"));
    mapper.writeValue(tamperedDir.resolve("feed.json").toFile(), feed);
    Files.copy(fixtures.publicKey, tamperedDir.resolve(fixtures.publicKey.getFileName()));
    Path tamperedPolicy = tamperedDir.resolve("policy.json");
    Files.copy(policy, tamperedPolicy);
    Fixtures.Result result =
        Fixtures.kiln("gate", "--policy", tamperedPolicy.toString(), "--json", good.toString());
    assertEquals(1, result.exitCode());
    assertEquals(List.of("FEED_BAD_SIGNATURE"), codes(result, 0));
  }

  @Test
  void policyWithAnUnknownRuleIsRefused() throws Exception {
    Path bad = dir.resolve("bad-policy.json");
    Files.writeString(bad, "{\"trustedKeys\": [], \"allowEverything\": true}");
    Fixtures.Result result = Fixtures.kiln("gate", "--policy", bad.toString(), good.toString());
    assertEquals(3, result.exitCode());
    assertTrue(result.err().contains("allowEverything"), result.err());
  }
}
