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
