package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * {@code kiln check}: each finding code is triggered by a real image (or, for device state, a real
 * profile) against an emulated device's profile from {@code kiln query --json}.
 */
class CheckCommandTest {
  @TempDir static Path dir;
  static Fixtures fixtures;
  static String device;
  static Path profile;

  @BeforeAll
  static void setUp() throws Exception {
    fixtures = new Fixtures(dir);
    device = fixtures.device("dev");
    profile = fixtures.profile(device, "lab-cx6dx");
  }

  @AfterAll
  static void tearDown() {
    fixtures.close();
  }

  static SampleFirmware.Spec next() {
    return SampleFirmware.Spec.secure("22.41.1000");
  }

  static List<String> codes(Fixtures.Result result) throws Exception {
    JsonNode node = new ObjectMapper().readTree(result.out());
    List<String> codes = new ArrayList<>();
    node.get("findings").forEach(f -> codes.add(f.get("code").asText()));
    return codes;
  }

  static Fixtures.Result check(Path image, String... extra) {
    List<String> args =
        new ArrayList<>(List.of("check", image.toString(), "--target", profile.toString(),
            "--json"));
    args.addAll(List.of(extra));
    return Fixtures.kiln(args.toArray(String[]::new));
  }

  @Test
  void acceptableImagePasses() throws Exception {
    Fixtures.Result result = check(fixtures.signed(next(), "good"));
    assertEquals(0, result.exitCode(), result.out() + result.err());
    assertEquals(List.of(), codes(result));
  }

  @Test
  void liveDeviceGivesTheSameVerdictAsItsProfile() throws Exception {
    Path good = fixtures.signed(next(), "good-live");
    Fixtures.Result live =
        Fixtures.kiln("check", good.toString(), "--device", device);
    assertEquals(0, live.exitCode(), live.out() + live.err());
    assertTrue(live.out().contains("ACCEPT"), live.out());
    Path unsigned = fixtures.unsigned(next(), "unsigned-live");
    Fixtures.Result refused = Fixtures.kiln("check", unsigned.toString(), "--device", device);
    assertEquals(1, refused.exitCode());
    assertTrue(refused.out().contains("UNSIGNED"), refused.out());
  }

  @Test
  void unsigned() throws Exception {
    Fixtures.Result result = check(fixtures.unsigned(next(), "unsigned"));
    assertEquals(1, result.exitCode());
    assertEquals(List.of("UNSIGNED"), codes(result));
  }

  @Test
  void notSecureFw() throws Exception {
    Fixtures.Result result = check(fixtures.signed(next().withSecure(false), "insecure"));
    assertEquals(1, result.exitCode());
    assertEquals(List.of("NOT_SECURE_FW"), codes(result));
  }

  @Test
  void psidMismatch() throws Exception {
    Fixtures.Result result = check(fixtures.signed(next().withPsid("MT_0000000999"), "psid"));
    assertEquals(1, result.exitCode());
    assertEquals(List.of("PSID_MISMATCH"), codes(result));
  }

  @Test
  void deviceMismatch() throws Exception {
    Fixtures.Result result = check(fixtures.signed(next().withDevice(DeviceType.CX6), "cx6"));
    assertEquals(1, result.exitCode());
    assertEquals(List.of("DEVICE_MISMATCH"), codes(result));
  }

  @Test
  void untrustedKey() throws Exception {
    Path image =
        fixtures.signedWithUuid(
            next(), "other-uuid", KeyUuid.parse("11111111-2222-3333-4444-555555555555"));
    Fixtures.Result result = check(image);
    assertEquals(1, result.exitCode());
    // Its own PUBLIC_KEYS hold the trusted UUID only: the other signer would be locked out too.
    assertEquals(List.of("UNTRUSTED_KEY", "KEY_LOCKOUT_SIGNER_NOT_TRUSTED"), codes(result));
  }

  /** Issue 12: the message named the image's key UUID dashed and the device's without dashes. */
  @Test
  void untrustedKeyNamesEveryUuidDashed() throws Exception {
    Path image =
        fixtures.signedWithUuid(
            next(), "other-uuid-spelling",
            KeyUuid.parse("11111111-2222-3333-4444-555555555555"));
    Fixtures.Result result = check(image);
    assertEquals(1, result.exitCode());
    String text = result.out() + result.err();
    assertTrue(text.contains("11111111-2222-3333-4444-555555555555"), text);
    assertTrue(text.contains(Fixtures.TRUSTED_UUID.toString()), text);
    assertFalse(
        java.util.regex.Pattern.compile("(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])").matcher(text)
            .find(),
        text);
  }

  @Test
  void badSignature() throws Exception {
    Fixtures.Result result = check(fixtures.signedByImpostor(next(), "impostor"));
    assertEquals(1, result.exitCode());
    // The impostor's signature does not verify with the image's own key for that UUID either.
    assertEquals(List.of("BAD_SIGNATURE", "KEY_LOCKOUT_SIGNER_NOT_TRUSTED"), codes(result));
  }

  @Test
  void forbiddenByTheDevice() throws Exception {
    Path image = fixtures.signed(SampleFirmware.Spec.secure(Fixtures.DEVICE_FORBIDDEN), "forb");
    Fixtures.Result result = check(image);
    assertEquals(1, result.exitCode());
    assertEquals(List.of("FORBIDDEN_VERSION"), codes(result));
  }

  @Test
  void forbiddenByTheFeedNamesTheReason() throws Exception {
    Path feed = feed("feed-ok", Instant.now().plus(30, ChronoUnit.DAYS));
    Fixtures.Result result =
        check(fixtures.signed(next(), "feed-forb"), "--forbidden", feed.toString(),
            "--feed-trust", fixtures.publicKey.toString());
    assertEquals(1, result.exitCode(), result.out() + result.err());
    assertEquals(List.of("FORBIDDEN_VERSION"), codes(result));
    assertTrue(result.out().contains("CVE-2026-0001"), result.out());
  }

  @Test
  void expiredFeedRefusesTheCheck() throws Exception {
    Path feed = feed("feed-old", Instant.now().minus(1, ChronoUnit.DAYS));
    Fixtures.Result result =
        check(fixtures.signed(SampleFirmware.Spec.secure("22.42.1000"), "feed-exp"),
            "--forbidden", feed.toString(), "--feed-trust", fixtures.publicKey.toString());
    assertEquals(1, result.exitCode());
    assertEquals(List.of("FEED_EXPIRED"), codes(result));
  }

  @Test
  void feedWithoutTrustIsAUsageError() throws Exception {
    Fixtures.Result result =
        check(fixtures.signed(next(), "feed-usage"), "--forbidden", "whatever.json");
    assertEquals(2, result.exitCode());
  }

  @Test
  void securityVersionRollback() throws Exception {
    Fixtures.Result result = check(fixtures.signed(next().withSecurityVersion(0), "rollback"));
    assertEquals(1, result.exitCode());
    assertEquals(List.of("SECURITY_VERSION_ROLLBACK"), codes(result));
  }

  @Test
  void sameVersion() throws Exception {
    Fixtures.Result result =
        check(fixtures.signed(SampleFirmware.Spec.secure(Fixtures.RUNNING), "same"));
    assertEquals(1, result.exitCode());
    assertEquals(List.of("SAME_VERSION"), codes(result));
  }

  @Test
  void downgrade() throws Exception {
    Fixtures.Result result =
        check(fixtures.signed(SampleFirmware.Spec.secure("22.38.1000"), "older"));
    assertEquals(1, result.exitCode());
    assertEquals(List.of("DOWNGRADE"), codes(result));
  }

  @Test
  void pendingResetAndUnknownKeysComeFromTheProfile() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode edited = (ObjectNode) mapper.readTree(Files.readAllBytes(profile));
    edited.put("pendingVersion", "22.40.2000");
    edited.put("trustedKeysKnown", false);
    edited.put("forbiddenVersionsKnown", false);
    Path pending = dir.resolve("pending.json");
    mapper.writeValue(pending.toFile(), edited);
    Fixtures.Result result =
        Fixtures.kiln("check", fixtures.signed(next(), "pending").toString(), "--target",
            pending.toString(), "--json");
    assertEquals(1, result.exitCode());
    assertEquals(
        List.of("TRUSTED_KEYS_UNKNOWN", "FORBIDDEN_VERSIONS_UNKNOWN", "PENDING_RESET"),
        codes(result));
  }

  @Test
  void reportsValidate() throws Exception {
    Path sarif = dir.resolve("check.sarif");
    Path junit = dir.resolve("check.xml");
    Fixtures.Result result =
        check(fixtures.unsigned(next(), "unsigned-report"), "--sarif", sarif.toString(),
            "--junit", junit.toString());
    assertEquals(1, result.exitCode());
    ReportSchemas.assertValidSarif(Files.readAllBytes(sarif));
    ReportSchemas.assertValidJUnit(Files.readAllBytes(junit));
  }

  @Test
  void missingImageIsExit3AndOneLine() {
    Fixtures.Result result =
        Fixtures.kiln("check", dir.resolve("nope.bin").toString(), "--target", profile.toString());
    assertEquals(3, result.exitCode());
    assertEquals(1, result.err().strip().lines().count(), result.err());
    assertTrue(result.err().startsWith("kiln: "), result.err());
  }

  @Test
  void deviceAndTargetAreExclusive() throws Exception {
    Fixtures.Result result =
        Fixtures.kiln("check", "x.bin", "--target", profile.toString(), "--device", device);
    assertEquals(2, result.exitCode());
  }

  Path feed(String name, Instant expires) throws Exception {
    ForbiddenVersionsFeed feed =
        new ForbiddenVersionsFeed(
            expires.minus(60, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS),
            expires.truncatedTo(ChronoUnit.SECONDS), 1,
            List.of(
                new FeedEntry(
                    SampleFirmware.PSID, null, List.of(FwVersion.parse("22.41.1000")),
                    "CVE-2026-0001")));
    Path file = dir.resolve(name + ".json");
    Files.write(
        file, FeedCodec.sign(FeedCodec.toJson(feed), new SigningServiceSigner(fixtures.key)));
    return file;
  }
}
