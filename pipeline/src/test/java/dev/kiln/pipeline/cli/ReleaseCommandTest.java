package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.pipeline.bundle.BundleReader;
import dev.kiln.pipeline.bundle.BundleVerification;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.check.Fixtures;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln release}: stages in order, dry run writes nothing, failure names the stage. */
class ReleaseCommandTest {
  @TempDir static Path dir;
  static Fixtures fixtures;
  static Path target;

  @BeforeAll
  static void setUp() throws Exception {
    fixtures = new Fixtures(dir);
    target = fixtures.profile(fixtures.device("dev"), "lab-cx6dx");
    try (InputStream sample =
        ReleaseCommandTest.class.getResourceAsStream(
            "/dev/kiln/pipeline/samples/cx6dx-sample.json")) {
      String text = new String(sample.readAllBytes(), StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("cx6dx.json"), text);
      // An older build: the device already runs something newer than this.
      Files.writeString(
          dir.resolve("cx6dx-old.json"), text.replace("\"22.41.1000\"", "\"22.38.1000\""));
    }
  }

  @AfterAll
  static void tearDown() {
    if (fixtures != null) {
      fixtures.close();
    }
  }

  static Path release(String name, String description) throws Exception {
    return release(name, description,
        "\"provisionKeys\": [{\"publicKey\": \"%s\", \"uuid\": \"%s\"}],"
            .formatted(fixtures.publicKey, Fixtures.TRUSTED_UUID));
  }

  /** A release of {@code description}; {@code extra} adds top-level members (with a comma). */
  static Path release(String name, String description, String extra) throws Exception {
    Path file = dir.resolve(name + ".json");
    Files.writeString(
        file,
        """
        {
          "name": "%s",
          "outputDirectory": "%s-out",
          "images": [{"description": "%s"}],
          %s
          "signing": {"key": "file:%s", "keyUuid": "%s", "allowSampleKeys": true},
          "trust": ["%s"],
          "targets": ["%s"],
          "bundle": {"file": "%s.kbundle"}
        }
        """.formatted(name, name, description, extra, fixtures.privateKey,
            Fixtures.TRUSTED_UUID, fixtures.publicKey, target, name),
        StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void dryRunRunsEveryStageAndWritesNothing() throws Exception {
    Fixtures.Result result =
        Fixtures.kiln("release", release("dry", "cx6dx.json").toString(), "--dry-run");
    assertEquals(0, result.exitCode(), result.out() + result.err());
    for (String stage : List.of("[1/7] build", "[2/7] keys", "[3/7] sign", "[4/7] verify",
        "[5/7] check", "[6/7] bundle")) {
      assertTrue(result.out().contains(stage), result.out());
    }
    assertTrue(result.out().contains("nothing was written"), result.out());
    assertFalse(Files.exists(dir.resolve("dry-out")));
  }

  @Test
  void releasePublishesSignedImageAndVerifiedBundle() throws Exception {
    Fixtures.Result result = Fixtures.kiln("release", release("real", "cx6dx.json").toString());
    assertEquals(0, result.exitCode(), result.out() + result.err());
    Path out = dir.resolve("real-out");
    assertTrue(Files.exists(out.resolve("cx6dx.bin")));
    // One audit log for the release (named after it), one record per signed image.
    assertTrue(Files.exists(out.resolve("real.kiln-audit.jsonl")));
    assertFalse(Files.exists(out.resolve("cx6dx.bin.kiln-audit.jsonl")));
    assertEquals(1, Files.readAllLines(out.resolve("real.kiln-audit.jsonl")).size());
    BundleVerification bundle =
        BundleReader.verify(out.resolve("real.kbundle"),
            TrustedKeys.load(List.of(fixtures.publicKey)));
    assertTrue(bundle.verified(), bundle.findings().toString());
    assertEquals("22.41.1000", bundle.manifest().bundleVersion());
    assertTrue(bundle.manifest().images().get(0).prevalidation().get(0).accepted());
    Fixtures.Result verify =
        Fixtures.kiln("verify", out.resolve("cx6dx.bin").toString(), "--trust",
            fixtures.publicKey.toString());
    assertEquals(0, verify.exitCode(), verify.out() + verify.err());
    // The provisioned key is the image's own: the next release signed the same way verifies.
    Fixtures.Result own =
        Fixtures.kiln("verify", out.resolve("cx6dx.bin").toString(), "--trust-image-keys");
    assertEquals(0, own.exitCode(), own.out() + own.err());
  }

  @Test
  void withoutProvisionedKeysTheReleaseRefusesALockOutImage() throws Exception {
    // The sample description reserves empty PUBLIC_KEYS: after burning it, a device would trust
    // no key at all.
    Fixtures.Result result =
        Fixtures.kiln("release", release("lockout", "cx6dx.json", "").toString());
    assertEquals(1, result.exitCode(), result.out() + result.err());
    assertTrue(result.err().startsWith("kiln: stage check failed:"), result.err());
    assertTrue(result.err().contains("[KEY_LOCKOUT_NO_KEYS]"), result.err());
    assertTrue(result.out().contains("no provisionKeys"), result.out());
    assertFalse(Files.exists(dir.resolve("lockout-out")));

    Fixtures.Result allowed =
        Fixtures.kiln(
            "release", release("allowed", "cx6dx.json", "\"allowKeyLockout\": true,").toString(),
            "--dry-run");
    assertEquals(0, allowed.exitCode(), allowed.out() + allowed.err());
    assertTrue(allowed.out().contains("warning: cx6dx.bin: key lock-out"), allowed.out());
  }

  @Test
  void failingStageIsNamedAndNothingIsWritten() throws Exception {
    Fixtures.Result result = Fixtures.kiln("release", release("old", "cx6dx-old.json").toString());
    assertEquals(1, result.exitCode(), result.out());
    assertTrue(result.err().startsWith("kiln: stage check failed:"), result.err());
    assertTrue(result.err().contains("DOWNGRADE"), result.err());
    assertTrue(result.out().contains("[5/7] check FAILED"), result.out());
    assertFalse(result.out().contains("[6/7]"), result.out());
    assertFalse(Files.exists(dir.resolve("old-out")));
  }

  @Test
  void provisioningAnotherKeyThanTheSignerIsALockOutToo() throws Exception {
    Fixtures.Result result =
        Fixtures.kiln(
            "release",
            release("otherkey", "cx6dx.json",
                "\"provisionKeys\": [{\"publicKey\": \"%s\", \"uuid\": \"%s\"}],"
                    .formatted(fixtures.publicKey, "00112233-4455-6677-8899-aabbccddeeff"))
                .toString());
    assertEquals(1, result.exitCode(), result.out() + result.err());
    assertTrue(result.err().startsWith("kiln: stage check failed:"), result.err());
    assertTrue(result.err().contains("[KEY_LOCKOUT_SIGNER_NOT_TRUSTED]"), result.err());
    assertTrue(result.out().contains("PUBLIC_KEYS_2048 holds 00112233-4455"), result.out());
  }

  @Test
  void keyProblemsStopAtTheSignStage() throws Exception {
    Path file = release("nokey", "cx6dx.json");
    Files.writeString(
        file, Files.readString(file).replace(fixtures.privateKey.toString(), "/no/such.pem"));
    Fixtures.Result result = Fixtures.kiln("release", file.toString());
    assertEquals(4, result.exitCode(), result.out() + result.err());
    assertTrue(result.err().startsWith("kiln: stage sign failed:"), result.err());
  }
}
