package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.Section;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.bundle.SigningServiceSigner;
import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.pipeline.feed.FeedCodec;
import dev.kiln.pipeline.feed.FeedEntry;
import dev.kiln.pipeline.feed.ForbiddenVersionsFeed;
import dev.kiln.pipeline.gate.ReportSchemas;
import dev.kiln.pipeline.report.HexDigests;
import dev.kiln.signer.fs4.KeyUuid;
import dev.kiln.signer.fs4.PublicKeysFile;
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

/**
 * {@code kiln gate}: fails closed, and its reports (text, JSON, SARIF, JUnit) are written for every
 * run whose arguments parsed and say what happened: each defect of issue 12's "Gate reports a CI
 * system cannot trust" has a test here with the exit code and the content expected.
 */
class GateCommandTest {
  @TempDir static Path dir;
  static Fixtures fixtures;
  static Path policy;
  static Path good;
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** The policy the tests start from; the fixtures sign with the keys-sample key. */
  static final String POLICY =
      """
      {
        "trustedKeys": ["%s"],
        "requiredSignatures": ["IMAGE_SIGNATURE_256"],
        "allowedPsids": ["MT_0000000528"],
        "allowedDeviceIds": ["0x212"],
        "forbiddenFeed": {"path": "feed.json", "trustedKeys": ["%s"]},
        "minimumSecurityVersion": 1,
        "requireSecureFw": true,
        "allowSampleKeys": true
      }
      """;

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
    Files.writeString(policy, policyText(), StandardCharsets.UTF_8);
  }

  static String policyText() {
    String key = fixtures.publicKey.getFileName().toString();
    return POLICY.formatted(key, key);
  }

  @AfterAll
  static void tearDown() {
    fixtures.close();
  }

  /** The {@code --json} object's image {@code index}. */
  static JsonNode image(Fixtures.Result result, int index) throws Exception {
    return MAPPER.readTree(result.out()).get("images").get(index);
  }

  static List<String> codes(Fixtures.Result result, int index) throws Exception {
    List<String> codes = new ArrayList<>();
    image(result, index).get("findings").forEach(f -> codes.add(f.get("code").asText()));
    return codes;
  }

  static Fixtures.Result gate(Path policyFile, Path... images) {
    List<String> args =
        new ArrayList<>(List.of("gate", "--policy", policyFile.toString(), "--json"));
    for (Path image : images) {
      args.add(image.toString());
    }
    return Fixtures.kiln(args.toArray(String[]::new));
  }

  /** A gate run with both reports, in files named after {@code name}. */
  record Reported(Fixtures.Result result, JsonNode sarif, String junit) {
    JsonNode run() {
      return sarif.get("runs").get(0);
    }
  }

  static Reported gateWithReports(String name, Path policyFile, Path... images)
      throws Exception {
    Path sarif = dir.resolve(name + ".sarif");
    Path junit = dir.resolve(name + ".xml");
    Files.deleteIfExists(sarif);
    Files.deleteIfExists(junit);
    List<String> args =
        new ArrayList<>(
            List.of("gate", "--policy", policyFile.toString(), "--sarif", sarif.toString(),
                "--junit", junit.toString()));
    for (Path image : images) {
      args.add(image.toString());
    }
    Fixtures.Result result = Fixtures.kiln(args.toArray(String[]::new));
    assertTrue(Files.exists(sarif), "no SARIF written: " + result.err());
    assertTrue(Files.exists(junit), "no JUnit written: " + result.err());
    byte[] sarifBytes = Files.readAllBytes(sarif);
    byte[] junitBytes = Files.readAllBytes(junit);
    ReportSchemas.assertValidSarif(sarifBytes);
    ReportSchemas.assertValidJUnit(junitBytes);
    return new Reported(
        result, MAPPER.readTree(sarifBytes), new String(junitBytes, StandardCharsets.UTF_8));
  }

  static Path policyFile(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void goodImagePassesAndJsonHasAVerdictAndTheImagesFacts() throws Exception {
    Fixtures.Result result = gate(policy, good);
    assertEquals(0, result.exitCode(), result.out() + result.err());
    JsonNode root = MAPPER.readTree(result.out());
    assertEquals("passed", root.get("verdict").asText());
    assertEquals(0, root.get("exitCode").asInt());
    assertEquals(policy.toString(), root.get("policy").asText());
    assertTrue(root.get("feed").get("usable").asBoolean(), result.out());
    assertEquals(3, root.get("feed").get("sequence").asLong());
    JsonNode image = root.get("images").get(0);
    assertEquals(good.toString(), image.get("path").asText());
    assertTrue(image.get("accepted").asBoolean());
    assertEquals("22.41.1000", image.get("version").asText());
    assertEquals("MT_0000000528", image.get("psid").asText());
    assertEquals(HexDigests.sha256(Files.readAllBytes(good)), image.get("sha256").asText());
    assertEquals(0, image.get("findings").size());
    assertEquals(1, root.get("summary").get("images").asInt());
    assertEquals(1, root.get("summary").get("passed").asInt());
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
        gate(policy, unsigned, untrusted, tampered, psid, device, insecure, forbidden, old,
            garbage);
    assertEquals(1, result.exitCode(), result.err());
    assertEquals("failed", MAPPER.readTree(result.out()).get("verdict").asText());
    assertEquals(List.of("GATE_UNSIGNED"), codes(result, 0));
    // The impostor's signature does not verify with the image's own key either: a lock-out.
    assertEquals(
        List.of("GATE_UNTRUSTED_KEY", "GATE_MISSING_SIGNATURE", "GATE_KEY_LOCKOUT"),
        codes(result, 1));
    assertTrue(codes(result, 2).contains("GATE_SIGNATURE_INVALID"), codes(result, 2).toString());
    assertTrue(codes(result, 2).contains("GATE_MISSING_SIGNATURE"), codes(result, 2).toString());
    assertEquals(List.of("GATE_PSID_NOT_ALLOWED"), codes(result, 3));
    assertEquals(List.of("GATE_DEVICE_NOT_ALLOWED"), codes(result, 4));
    assertEquals(List.of("GATE_NOT_SECURE_FW"), codes(result, 5));
    assertEquals(List.of("GATE_FORBIDDEN_VERSION"), codes(result, 6));
    assertEquals("22.40.1000", image(result, 6).get("version").asText());
    assertEquals(List.of("GATE_SECURITY_VERSION_TOO_LOW"), codes(result, 7));
    assertEquals(List.of("GATE_UNREADABLE_IMAGE"), codes(result, 8));
    assertTrue(image(result, 8).get("psid").isNull(), result.out());
    // The signature findings point at the signature section's bytes.
    JsonNode untrustedFinding = image(result, 1).get("findings").get(0);
    assertTrue(untrustedFinding.get("offset").asLong() > 0, untrustedFinding.toString());
    assertTrue(untrustedFinding.get("length").asLong() > 0, untrustedFinding.toString());
    assertEquals(9, MAPPER.readTree(result.out()).get("summary").get("failed").asInt());
  }

  @Test
  void unknownKeyUuidFailsAgainstAKeysSectionTrustFile() throws Exception {
    Path keysFile = dir.resolve("trusted-keys.bin");
    Files.write(keysFile, PublicKeysFile.encode(List.of(fixtures.trusted), 0x220));
    Path uuidPolicy =
        policyFile("uuid-policy.json",
            policyText().replaceFirst(
                "\"trustedKeys\": \\[\"[^\"]+\"\\],\n  \"req",
                "\"trustedKeys\": [\"trusted-keys.bin\"],\n  \"req"));
    Path image =
        fixtures.signedWithUuid(
            SampleFirmware.Spec.secure("22.41.1000"), "g-uuid",
            KeyUuid.parse("0123456789abcdef0123456789abcdef"));
    Fixtures.Result result = gate(uuidPolicy, image, good);
    assertEquals(1, result.exitCode(), result.out() + result.err());
    // The image's PUBLIC_KEYS hold the trusted UUID, not the one it is signed under: a lock-out.
    assertEquals(
        List.of("GATE_UNTRUSTED_KEY", "GATE_MISSING_SIGNATURE", "GATE_KEY_LOCKOUT"),
        codes(result, 0));
    assertEquals(List.of(), codes(result, 1));
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
  void sarifHasToolRulesHelpRegionsAndFingerprints() throws Exception {
    Path unsigned = fixtures.unsigned(SampleFirmware.Spec.secure("22.41.1000"), "r-unsigned");
    Path impostor =
        fixtures.signedByImpostor(SampleFirmware.Spec.secure("22.41.1000"), "r-impostor");
    Reported reported = gateWithReports("rich", policy, good, unsigned, impostor);
    assertEquals(1, reported.result().exitCode(), reported.result().err());
    assertTrue(reported.result().out().contains("gate FAILED"), reported.result().out());
    JsonNode run = reported.run();
    JsonNode driver = run.at("/tool/driver");
    assertEquals("kiln", driver.get("name").asText());
    assertTrue(driver.get("version").asText().matches("\\d+\\.\\d+\\.\\d+.*"), driver.toString());
    assertTrue(driver.get("informationUri").asText().startsWith("https://"), driver.toString());
    // A rule for every check that ran, passed ones included, each with help and a docs link.
    List<String> ruleIds = new ArrayList<>();
    for (JsonNode rule : driver.get("rules")) {
      ruleIds.add(rule.get("id").asText());
      assertFalse(rule.at("/help/text").asText().isBlank(), rule.toString());
      assertTrue(rule.at("/help/markdown").asText().contains("docs/pipeline.md"), rule.toString());
      assertTrue(
          rule.get("helpUri").asText().endsWith("docs/pipeline.md#ci-gate-kiln-gate"),
          rule.toString());
    }
    assertTrue(ruleIds.containsAll(dev.kiln.pipeline.gate.Gate.CHECKS), ruleIds.toString());
    JsonNode results = run.get("results");
    assertEquals("GATE_UNSIGNED", results.get(0).get("ruleId").asText());
    JsonNode untrusted = results.get(1);
    assertEquals("GATE_UNTRUSTED_KEY", untrusted.get("ruleId").asText());
    assertTrue(untrusted.at("/locations/0/physicalLocation/region/byteOffset").asLong() > 0,
        untrusted.toString());
    assertTrue(untrusted.at("/locations/0/physicalLocation/region/byteLength").asLong() > 0,
        untrusted.toString());
    for (JsonNode result : results) {
      assertEquals(64, result.at("/partialFingerprints/kilnFinding~1v1").asText().length(),
          result.toString());
    }
    // The fingerprints tell the findings apart.
    assertFalse(
        results.get(0).get("partialFingerprints").equals(results.get(1).get("partialFingerprints")));
    // Each image is an artifact with its SHA-256; the invocation records the exit code.
    assertEquals(
        HexDigests.sha256(Files.readAllBytes(good)),
        run.at("/artifacts/0/hashes/sha-256").asText());
    assertEquals(1, run.at("/invocations/0/exitCode").asInt());
    assertTrue(run.at("/invocations/0/executionSuccessful").asBoolean());
    // The temporary directory is outside the working directory: absolute file URIs there.
    assertTrue(
        results.get(0).at("/locations/0/physicalLocation/artifactLocation/uri").asText()
            .startsWith("file:///"),
        results.get(0).toString());
    assertTrue(reported.junit().contains("<failure type=\"GATE_UNSIGNED\""), reported.junit());
  }

  @Test
  void aFileThatIsNotAnImageFailsEveryCheckThatNeedsOne() throws Exception {
    Path garbage = dir.resolve("not-an-image.bin");
    Files.writeString(garbage, "this is a README, not firmware\n");
    Reported reported = gateWithReports("garbage", policy, garbage);
    assertEquals(1, reported.result().exitCode(), reported.result().err());
    String xml = reported.junit();
    // 12 checks: one failure (unreadable), 11 errors (not evaluated), none passing.
    assertTrue(
        xml.contains("tests=\"12\" failures=\"1\" errors=\"11\""), xml);
    assertEquals(11, count(xml, "<error type=\"NOT_EVALUATED\""), xml);
    assertEquals(12, count(xml, "<testcase "), xml);
    assertEquals(12, count(xml, "<failure ") + count(xml, "<error "), xml);
    JsonNode invocation = reported.run().at("/invocations/0");
    assertEquals(11, invocation.get("toolExecutionNotifications").size(), invocation.toString());
    assertEquals("GATE_UNREADABLE_IMAGE",
        reported.run().at("/results/0/ruleId").asText());
    assertTrue(reported.result().out().contains("not evaluated (the file is not a readable FS4"
        + " image): GATE_STRUCTURE_INVALID"), reported.result().out());
    Fixtures.Result json = gate(policy, garbage);
    assertEquals(11, image(json, 0).get("notEvaluated").size(), json.out());
  }

  static int count(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }

  /** A copy of the policy's directory with the feed changed after signing. */
  static Path tamperedFeedPolicy() throws Exception {
    ObjectNode feed = (ObjectNode) MAPPER.readTree(dir.resolve("feed.json").toFile());
    ((ObjectNode) feed.get("feed")).put("sequence", 4);
    Path tamperedDir = Files.createDirectories(dir.resolve("tampered"));
    MAPPER.writeValue(tamperedDir.resolve("feed.json").toFile(), feed);
    Files.copy(fixtures.publicKey, tamperedDir.resolve(fixtures.publicKey.getFileName()),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Path tamperedPolicy = tamperedDir.resolve("policy.json");
    Files.copy(policy, tamperedPolicy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return tamperedPolicy;
  }

  @Test
  void tamperedFeedFailsTheForbiddenVersionCheckOfEveryImage() throws Exception {
    Path tamperedPolicy = tamperedFeedPolicy();
    Fixtures.Result result = gate(tamperedPolicy, good);
    assertEquals(1, result.exitCode());
    JsonNode root = MAPPER.readTree(result.out());
    assertFalse(root.get("feed").get("usable").asBoolean());
    assertEquals("FEED_BAD_SIGNATURE", root.get("feed").get("code").asText());
    assertEquals(List.of("GATE_FORBIDDEN_VERSION"), codes(result, 0));
    assertTrue(
        image(result, 0).at("/findings/0/message").asText().contains("FEED_BAD_SIGNATURE"),
        result.out());

    Reported reported = gateWithReports("tampered", tamperedPolicy, good);
    String text = reported.result().out();
    assertEquals(1, reported.result().exitCode());
    assertTrue(text.startsWith("feed UNUSABLE "), text);
    assertTrue(text.contains("FAIL " + good), text);
    assertFalse(text.lines().anyMatch(line -> line.startsWith("ok ")), text);
    assertTrue(text.contains("gate FAILED: 1 of 1 image(s) refused"), text);
    assertTrue(
        reported.junit().contains("name=\"GATE_FORBIDDEN_VERSION\" time=\"0\"><failure"),
        reported.junit());
  }

  @Test
  void theSummaryCountsImagesNotTheFeed() throws Exception {
    Path unsigned = fixtures.unsigned(SampleFirmware.Spec.secure("22.41.1000"), "s-unsigned");
    Fixtures.Result failed =
        Fixtures.kiln("gate", "--policy", policy.toString(), good.toString(), unsigned.toString());
    assertEquals(1, failed.exitCode(), failed.err());
    assertTrue(failed.out().contains("gate FAILED: 1 of 2 image(s) refused"), failed.out());
    assertTrue(failed.out().startsWith("feed verified " + dir.resolve("feed.json")),
        failed.out());
    Fixtures.Result passed = Fixtures.kiln("gate", "--policy", policy.toString(), good.toString());
    assertEquals(0, passed.exitCode(), passed.err());
    assertTrue(passed.out().contains("gate passed: 1 image(s)"), passed.out());
    assertEquals(3, passed.out().lines().count(), passed.out());
  }

  @Test
  void aMissingPolicyStillWritesBothReports() throws Exception {
    Path missing = dir.resolve("no-such-policy.json");
    Reported reported = gateWithReports("no-policy", missing, good);
    assertEquals(3, reported.result().exitCode());
    assertEquals(
        "kiln: cannot read policy " + missing + ": no such file\n", reported.result().err());
    JsonNode results = reported.run().get("results");
    assertEquals(1, results.size());
    assertEquals("GATE_POLICY_INVALID", results.get(0).get("ruleId").asText());
    assertTrue(
        results.get(0).at("/locations/0/physicalLocation/artifactLocation/uri").asText()
            .endsWith("no-such-policy.json"));
    assertEquals(3, reported.run().at("/invocations/0/exitCode").asInt());
    assertFalse(reported.run().at("/invocations/0/executionSuccessful").asBoolean());
    assertTrue(reported.junit().contains("<failure type=\"GATE_POLICY_INVALID\""),
        reported.junit());
    Fixtures.Result json = gate(missing, good);
    assertEquals(3, json.exitCode());
    JsonNode root = MAPPER.readTree(json.out());
    assertEquals("error", root.get("verdict").asText());
    assertEquals("GATE_POLICY_INVALID", root.get("error").get("code").asText());
    assertEquals(missing.toString(), root.get("error").get("subject").asText());
    assertEquals("cannot read policy " + missing + ": no such file",
        root.get("error").get("message").asText());
    assertEquals(0, root.get("images").size());
  }

  @Test
  void aMisspeltMemberIsRefusedWithItsPositionAndASuggestion() throws Exception {
    Path misspelt =
        policyFile("misspelt-policy.json",
            policyText().replace("\"allowSampleKeys\"", "\"alowSampleKeys\""));
    Reported reported = gateWithReports("misspelt", misspelt, good);
    assertEquals(3, reported.result().exitCode());
    assertEquals(
        "kiln: " + misspelt + ":9:3: policy member 'alowSampleKeys' is not known; did you mean"
            + " 'allowSampleKeys'?\n",
        reported.result().err());
    JsonNode error = MAPPER.readTree(gate(misspelt, good).out()).get("error");
    assertEquals(9, error.get("line").asInt(), error.toString());
    assertEquals(3, error.get("column").asInt(), error.toString());
    JsonNode region = reported.run().at("/results/0/locations/0/physicalLocation/region");
    assertEquals(9, region.get("startLine").asInt(), region.toString());
    assertEquals(3, region.get("startColumn").asInt(), region.toString());
    assertEquals(19, region.get("endColumn").asInt(), region.toString());

    Path unknown = policyFile("unknown-policy.json", "{\"trustedKeys\": [],\n \"allowEverything\": true}");
    Fixtures.Result result = Fixtures.kiln("gate", "--policy", unknown.toString(), good.toString());
    assertEquals(3, result.exitCode());
    assertTrue(result.err().contains(":2:2: policy member 'allowEverything' is not known (known:"),
        result.err());
  }

  @Test
  void wrongValuesAndBadJsonNameTheirPosition() throws Exception {
    Path nested =
        policyFile("nested-policy.json",
            policyText().replace("\"path\": \"feed.json\"", "\"paht\": \"feed.json\""));
    Fixtures.Result feedMember =
        Fixtures.kiln("gate", "--policy", nested.toString(), good.toString());
    assertEquals(3, feedMember.exitCode());
    assertTrue(feedMember.err().contains(":6:21: member of 'forbiddenFeed' 'paht' is not known;"
        + " did you mean 'path'?"), feedMember.err());
    Path badId =
        policyFile("badid-policy.json", policyText().replace("\"0x212\"", "\"0x21z\""));
    Fixtures.Result id = Fixtures.kiln("gate", "--policy", badId.toString(), good.toString());
    assertEquals(3, id.exitCode());
    assertTrue(id.err().contains(
        ":5:24: 'allowedDeviceIds' must be a device id from 0 to 0xffffffff, not \"0x21z\""),
        id.err());
    // Never truncated: 2^32+530 is not 0x212, and 530.7 is not 530.
    for (String wrong : List.of("4294967826", "530.7")) {
      Path range =
          policyFile("range-policy.json", policyText().replace("\"0x212\"", wrong));
      Fixtures.Result refused =
          Fixtures.kiln("gate", "--policy", range.toString(), good.toString());
      assertEquals(3, refused.exitCode(), wrong);
      assertTrue(refused.err().contains(
          ":5:24: 'allowedDeviceIds' must be an integer from 0 to 4294967295, not " + wrong),
          refused.err());
    }
    Path trailing = policyFile("trailing-policy.json", policyText() + "[]");
    Fixtures.Result extra =
        Fixtures.kiln("gate", "--policy", trailing.toString(), good.toString());
    assertEquals(3, extra.exitCode());
    assertTrue(extra.err().endsWith(
        ":11:1: not valid JSON: Trailing token (START_ARRAY) after the policy's one JSON"
            + " document\n"),
        extra.err());
    Path broken = policyFile("broken-policy.json", "{\n  \"trustedKeys\": [\"a\",\n}\n");
    Fixtures.Result json = Fixtures.kiln("gate", "--policy", broken.toString(), good.toString());
    assertEquals(3, json.exitCode());
    assertTrue(json.err().startsWith("kiln: " + broken + ":3:"), json.err());
    assertTrue(json.err().contains("not valid JSON"), json.err());
  }

  @Test
  void aMissingTrustFileStillWritesBothReports() throws Exception {
    Path missingKey =
        policyFile("missing-key-policy.json",
            policyText().replaceFirst("\"trustedKeys\": \\[\"[^\"]+\"\\]",
                "\"trustedKeys\": [\"keys/release.pub.pem\"]"));
    Reported reported = gateWithReports("missing-key", missingKey, good);
    assertEquals(3, reported.result().exitCode());
    Path key = dir.resolve("keys/release.pub.pem");
    assertEquals("kiln: cannot read trusted key file " + key + ": no such file\n",
        reported.result().err());
    JsonNode result = reported.run().at("/results/0");
    assertEquals("GATE_TRUST_UNREADABLE", result.get("ruleId").asText());
    // Located where the policy names the file: the line a reviewer fixes.
    assertTrue(result.at("/locations/0/physicalLocation/artifactLocation/uri").asText()
        .endsWith("missing-key-policy.json"), result.toString());
    assertEquals(2, result.at("/locations/0/physicalLocation/region/startLine").asInt());
    assertEquals(19, result.at("/locations/0/physicalLocation/region/startColumn").asInt());
    assertEquals(41, result.at("/locations/0/physicalLocation/region/endColumn").asInt());
    assertEquals(1, reported.run().get("results").size());
    assertTrue(reported.junit().contains("<failure type=\"GATE_TRUST_UNREADABLE\""));
  }

  @Test
  void aTrustFileWithoutAKeyExits4WithBothReports() throws Exception {
    Files.writeString(dir.resolve("not-a-key.pem"), "hello\n");
    Path noKey =
        policyFile("no-key-policy.json",
            policyText().replaceFirst("\"trustedKeys\": \\[\"[^\"]+\"\\]",
                "\"trustedKeys\": [\"not-a-key.pem\"]"));
    Reported reported = gateWithReports("no-key", noKey, good);
    assertEquals(4, reported.result().exitCode());
    assertTrue(reported.result().err().startsWith("kiln: " + dir.resolve("not-a-key.pem")),
        reported.result().err());
    assertEquals("GATE_TRUST_UNREADABLE", reported.run().at("/results/0/ruleId").asText());
    assertEquals(4, reported.run().at("/invocations/0/exitCode").asInt());
  }

  @Test
  void aMissingFeedFileStillWritesBothReports() throws Exception {
    Path noFeed =
        policyFile("no-feed-policy.json", policyText().replace("feed.json", "gone.json"));
    Reported reported = gateWithReports("no-feed", noFeed, good);
    assertEquals(3, reported.result().exitCode());
    assertEquals("kiln: cannot read the forbidden-versions feed " + dir.resolve("gone.json")
        + ": no such file\n", reported.result().err());
    assertEquals("GATE_FEED_UNREADABLE", reported.run().at("/results/0/ruleId").asText());
  }

  @Test
  void theSampleKeyIsRefusedUnlessThePolicyAllowsIt() throws Exception {
    Path strict =
        policyFile("strict-policy.json",
            policyText().replace(",\n  \"allowSampleKeys\": true", ""));
    assertFalse(Files.readString(strict).contains("allowSampleKeys"));
    Reported reported = gateWithReports("sample", strict, good);
    assertEquals(4, reported.result().exitCode());
    String err = reported.result().err();
    assertTrue(err.startsWith("kiln: " + fixtures.publicKey + " holds a keys-sample key (NOT FOR"
        + " PRODUCTION, fingerprint "), err);
    assertTrue(err.contains("set \"allowSampleKeys\": true"), err);
    assertEquals("GATE_SAMPLE_KEY", reported.run().at("/results/0/ruleId").asText());
    assertTrue(reported.junit().contains("<failure type=\"GATE_SAMPLE_KEY\""));
    // The feed's trusted keys too: a feed signed with a public private key forbids nothing.
    Path otherKey = dir.resolve("other.pub.pem");
    Files.writeString(otherKey, publicPem());
    Path feedOnly =
        policyFile("sample-feed-policy.json",
            Files.readString(strict).replaceFirst(
                "\"trustedKeys\": \\[\"[^\"]+\"\\],\n  \"req",
                "\"trustedKeys\": [\"other.pub.pem\"],\n  \"req"));
    Fixtures.Result feedRefused =
        Fixtures.kiln("gate", "--policy", feedOnly.toString(), good.toString());
    assertEquals(4, feedRefused.exitCode(), feedRefused.out() + feedRefused.err());
    assertTrue(feedRefused.err().contains("holds a keys-sample key"), feedRefused.err());
    // allowSampleKeys: true (the tests' base policy) lets the same image pass.
    assertEquals(0, gate(policy, good).exitCode());
  }

  /** A freshly generated RSA public key as PEM (not a sample key). */
  static String publicPem() throws Exception {
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return "-----BEGIN PUBLIC KEY-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(generator.generateKeyPair().getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  @Test
  void aUsageErrorWritesNoReport() throws Exception {
    Path sarif = dir.resolve("usage.sarif");
    Fixtures.Result result =
        Fixtures.kiln("gate", "--sarif", sarif.toString(), good.toString());
    assertEquals(2, result.exitCode());
    assertFalse(Files.exists(sarif));
  }
}
