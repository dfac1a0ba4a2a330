package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.pipeline.bundle.SigningServiceSigner;
import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.feed.FeedCodec;
import dev.kiln.pipeline.feed.ForbiddenVersionsFeed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/release.json} no longer produces a lock-out image (issue 11, point 1): run with
 * its stages as shipped, its signing key swapped for the sample file key (the PKCS#11 token and
 * the files it names are issue 12's; the test supplies stand-ins with the same names), its keys
 * stage provisions the signer into PUBLIC_KEYS, so the released image verifies with its own keys;
 * without {@code provisionKeys} the same release stops at the check stage with
 * KEY_LOCKOUT_NO_KEYS.
 */
class ReleaseExampleLockoutTest {
  static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

  @TempDir static Path dir;
  static Fixtures fixtures;
  static ObjectNode example;

  @BeforeAll
  static void setUp() throws Exception {
    fixtures = new Fixtures(dir);
    ObjectMapper mapper = new ObjectMapper();
    example = (ObjectNode) mapper.readTree(EXAMPLES.resolve("release.json").toFile());
    // The files the example names, relative to it.
    Files.createDirectories(dir.resolve("keys"));
    Files.copy(fixtures.publicKey, dir.resolve("keys/release-rsa2048.pub.pem"));
    Files.copy(fixtures.publicKey, dir.resolve("keys/feed-signing.pub.pem"));
    Files.createDirectories(dir.resolve("targets"));
    Files.move(
        fixtures.profile(fixtures.device("lab"), "lab-cx6dx"),
        dir.resolve("targets/lab-cx6dx.json"));
    Files.createDirectories(dir.resolve("feeds"));
    Instant issued = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    Files.write(
        dir.resolve("feeds/forbidden-versions.json"),
        FeedCodec.sign(
            FeedCodec.toJson(
                new ForbiddenVersionsFeed(issued, issued.plus(30, ChronoUnit.DAYS), 1,
                    List.of())),
            new SigningServiceSigner(fixtures.key)));
  }

  @AfterAll
  static void tearDown() {
    fixtures.close();
  }

  /** The example with the sample key and an absolute image description path, at {@code name}. */
  static Path copy(String name, boolean withProvisioning) throws Exception {
    ObjectNode release = example.deepCopy();
    ObjectNode signing = (ObjectNode) release.get("signing");
    signing.put("key", "file:" + fixtures.privateKey);
    signing.put("allowSampleKeys", true);
    ObjectNode image = (ObjectNode) ((ArrayNode) release.get("images")).get(0);
    image.put("description",
        EXAMPLES.resolve(image.get("description").asText()).normalize().toString());
    release.put("outputDirectory", "out-" + name);
    if (!withProvisioning) {
      release.remove("provisionKeys");
    }
    Path file = dir.resolve(name + ".json");
    new ObjectMapper().writeValue(file.toFile(), release);
    return file;
  }

  @Test
  void theExampleProvisionsItsSignerAndReleasesNoLockOutImage() throws Exception {
    assertTrue(example.has("provisionKeys"), "examples/release.json has a keys stage");
    assertEquals(
        example.get("signing").get("keyUuid").asText(),
        example.get("provisionKeys").get(0).get("uuid").asText(),
        "the example provisions the key it signs with");
    Fixtures.Result release = Fixtures.kiln("release", copy("provisioned", true).toString());
    assertEquals(0, release.exitCode(), release.out() + release.err());
    assertTrue(release.out().contains("[2/7] keys"), release.out());
    assertTrue(release.out().contains("PUBLIC_KEYS_2048 holds 6f065e04-bb0b-4334-9d90"),
        release.out());
    Path image = dir.resolve("out-provisioned/cx6dx-sample.bin");
    Fixtures.Result own = Fixtures.kiln("verify", image.toString(), "--trust-image-keys");
    assertEquals(0, own.exitCode(), own.out() + own.err());
    Fixtures.Result check =
        Fixtures.kiln("check", image.toString(), "--target",
            dir.resolve("targets/lab-cx6dx.json").toString());
    assertEquals(0, check.exitCode(), check.out() + check.err());
  }

  @Test
  void withoutItsKeysStageTheExampleWouldLockOut() throws Exception {
    Fixtures.Result release = Fixtures.kiln("release", copy("bare", false).toString());
    assertEquals(1, release.exitCode(), release.out() + release.err());
    assertTrue(release.err().startsWith("kiln: stage check failed:"), release.err());
    assertTrue(release.err().contains("[KEY_LOCKOUT_NO_KEYS]"), release.err());
  }
}
