package dev.kiln.pipeline.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.pipeline.release.ReleaseDescription;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example policy, release description and CI jobs in examples/ stay valid. */
class ExamplesTest {
  /** Surefire runs in the module directory; the examples live one level up. */
  static final Path EXAMPLES = Path.of("..", "examples");

  @Test
  void examplePolicyLoads() throws Exception {
    GatePolicy policy = GatePolicy.load(EXAMPLES.resolve("policy.json"));
    assertEquals(List.of("MT_0000000528"), policy.allowedPsids());
    assertEquals(List.of(0x212), policy.allowedDeviceIds());
    assertEquals(List.of("IMAGE_SIGNATURE_256"), policy.requiredSignatures());
    assertTrue(policy.feed().isPresent());
  }

  @Test
  void exampleReleaseLoads() throws Exception {
    ReleaseDescription release = ReleaseDescription.load(EXAMPLES.resolve("release.json"));
    assertEquals("cx6dx-22.41.1000", release.name());
    assertEquals(1, release.images().size());
    assertTrue(release.signing().key().startsWith("pkcs11:"));
  }

  /** Issue 12: the example's key UUID was the public sample key's. */
  @Test
  void theExampleReleaseKeyIsNotASampleKey() throws Exception {
    ReleaseDescription release = ReleaseDescription.load(EXAMPLES.resolve("release.json"));
    for (dev.kiln.keys.SampleKey sample : dev.kiln.keys.SampleKey.values()) {
      assertTrue(
          !dev.kiln.signer.fs4.KeyUuid.parse(release.signing().keyUuid())
              .equals(dev.kiln.signer.fs4.KeyUuid.parse(sample.uuid().toString())),
          "examples/release.json signs under the UUID of " + sample);
    }
    String token = Files.readString(
        EXAMPLES.resolve("../keys-sample/softhsm/create-token.sh").normalize());
    assertTrue(release.signing().key().contains("object=fw-rsa2048")
        && token.contains("--label \"fw-rsa$bits\""),
        "create-token.sh --generate makes the object release.json names");
  }

  /** Issue 12: the CI examples ran ./kiln (Maven and a build on every job) or no kiln at all. */
  @Test
  void ciExamplesInstallTheDistributionInsteadOfBuildingKiln() throws Exception {
    for (String file : List.of("github-actions.yml", "gitlab-ci.yml")) {
      String text = Files.readString(EXAMPLES.resolve("ci").resolve(file));
      assertTrue(!text.contains("./kiln ") && !text.contains("mvn "), file);
      assertTrue(text.contains("KILN_DIST_URL") && text.contains("tar -xz"), file);
    }
  }

  @Test
  void ciExamplesCallTheGateWithBothReports() throws Exception {
    for (String file : List.of("github-actions.yml", "gitlab-ci.yml")) {
      String text = Files.readString(EXAMPLES.resolve("ci").resolve(file));
      assertTrue(
          text.contains("kiln gate") && text.contains("--policy") && text.contains("--sarif")
              && text.contains("--junit"),
          file);
    }
  }
}
