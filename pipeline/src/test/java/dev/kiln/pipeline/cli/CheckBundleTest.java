package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln check --bundle B --trust K (--device DEV | --target PROFILE)}. */
class CheckBundleTest {
  @TempDir static Path dir;
  static Fixtures fixtures;
  static Path bundle;
  static Path forbiddenBundle;

  @BeforeAll
  static void setUp() throws Exception {
    fixtures = new Fixtures(dir);
    Path older = fixtures.signed(SampleFirmware.Spec.secure("22.39.2000"), "fw-a");
    Path newer = fixtures.signed(SampleFirmware.Spec.secure("22.41.1000"), "fw-b");
    Path forbidden = fixtures.signed(SampleFirmware.Spec.secure(Fixtures.DEVICE_FORBIDDEN), "fw-f");
    bundle = create("release.kbundle", older, newer);
    forbiddenBundle = create("forbidden.kbundle", forbidden);
  }

  private static Path create(String name, Path... images) {
    Path out = dir.resolve(name);
    String[] args = new String[7 + images.length];
    String[] head = {"bundle", "create", "--out", out.toString(), "--key",
        "file:" + fixtures.privateKey, "--allow-sample-keys"};
    System.arraycopy(head, 0, args, 0, head.length);
    for (int i = 0; i < images.length; i++) {
      args[head.length + i] = images[i].toString();
    }
    Fixtures.Result created = Fixtures.kiln(args);
    assertEquals(0, created.exitCode(), created.err());
    return out;
  }

  @AfterAll
  static void tearDown() {
    fixtures.close();
  }

  @Test
  void checksTheImageTheBundleHoldsForTheLiveDevice() throws Exception {
    String device = fixtures.device("check-live");
    Fixtures.Result result =
        Fixtures.kiln("check", "--bundle", bundle.toString(), "--trust",
            fixtures.publicKey.toString(), "--device", device);
    assertEquals(0, result.exitCode(), result.out() + result.err());
    assertTrue(result.out().startsWith("Checking " + bundle + ":images/fw-b.bin ("
        + SampleFirmware.PSID + " 22.41.1000"), result.out());
    assertTrue(result.out().contains("ACCEPT"), result.out());
  }

  @Test
  void checksAgainstASavedProfileAndRefusesAForbiddenVersion() throws Exception {
    String device = fixtures.device("check-profile");
    Path profile = fixtures.profile(device, "check-profile");
    Fixtures.Result result =
        Fixtures.kiln("check", "--bundle", forbiddenBundle.toString(), "--trust",
            fixtures.publicKey.toString(), "--target", profile.toString(), "--json");
    assertEquals(ExitCodes.CHECK_FAILED, result.exitCode(), result.out() + result.err());
    JsonNode node = new ObjectMapper().readTree(result.out());
    assertTrue(node.toString().contains("FORBIDDEN_VERSION"), node.toString());
    assertEquals("", result.err(), "check's verdict is its report: nothing on stderr");
  }

  @Test
  void anUnverifiedBundleOrNoImageForTheTargetIsOneLine() throws Exception {
    String device = fixtures.device("check-unverified");
    Path otherKey =
        SampleKeys.writePublicKey(SampleKey.RSA_4096, Files.createTempDirectory(dir, "k"));
    Fixtures.Result unverified =
        Fixtures.kiln("check", "--bundle", bundle.toString(), "--trust", otherKey.toString(),
            "--device", device);
    assertEquals(ExitCodes.CHECK_FAILED, unverified.exitCode());
    assertEquals(1, unverified.err().strip().lines().count(), unverified.err());
    assertTrue(unverified.err().startsWith("kiln: ") && unverified.err().contains("does not verify"),
        unverified.err());

    Path other = fixtures.signed(SampleFirmware.Spec.secure("22.41.1000").withPsid("MT_0000000999"),
        "fw-other");
    Path otherBundle = create("other.kbundle", other);
    Fixtures.Result none =
        Fixtures.kiln("check", "--bundle", otherBundle.toString(), "--trust",
            fixtures.publicKey.toString(), "--device", device);
    assertEquals(ExitCodes.CHECK_FAILED, none.exitCode());
    assertTrue(none.err().contains("holds no image for this device (PSID " + SampleFirmware.PSID),
        none.err());
  }

  @Test
  void usageErrors() {
    String trust = "--trust=" + fixtures.publicKey;
    assertEquals(ExitCodes.USAGE,
        Fixtures.kiln("check", "--bundle", bundle.toString(), "--target", "p.json").exitCode());
    assertEquals(ExitCodes.USAGE,
        Fixtures.kiln("check", "--target", "p.json").exitCode());
    assertEquals(ExitCodes.USAGE,
        Fixtures.kiln("check", "img.bin", "--bundle", bundle.toString(), trust, "--target",
            "p.json").exitCode());
    assertEquals(ExitCodes.USAGE,
        Fixtures.kiln("check", "img.bin", trust, "--target", "p.json").exitCode());
  }
}
