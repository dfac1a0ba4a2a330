package dev.kiln.pipeline.packages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.pipeline.report.HexDigests;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One release, three packages, each verified; the gate takes any of the three as input. */
class PackageGateReleaseTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  @TempDir static Path dir;
  static Fixtures fixtures;
  static Path image;

  @BeforeAll
  static void setUp() throws Exception {
    fixtures = new Fixtures(dir);
    image = fixtures.signed(SampleFirmware.Spec.secure("22.41.1000"), "fw");
  }

  @AfterAll
  static void tearDown() {
    fixtures.close();
  }

  static Path policy(String name, String extra) throws Exception {
    Path file = dir.resolve(name + ".json");
    Files.writeString(file, """
        {
          "trustedKeys": ["%s"],
          "requiredSignatures": ["IMAGE_SIGNATURE_256"],
          "allowedPsids": ["MT_0000000528"],
          "allowedDeviceIds": ["0x212"],
          "minimumSecurityVersion": 1,
          "allowSampleKeys": true,
          %s
          "requireSecureFw": true
        }
        """.formatted(fixtures.publicKey, extra), StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void releaseEmitsThreeVerifiedPackagesAndTheGateTakesEach() throws Exception {
    Path description = dir.resolve("cx6dx.json");
    try (InputStream sample = getClass().getResourceAsStream("/dev/kiln/pipeline/samples/cx6dx-sample.json")) {
      Files.write(description, sample.readAllBytes());
    }
    Path release = dir.resolve("release.json");
    Files.writeString(release, """
        {
          "name": "three",
          "outputDirectory": "three-out",
          "images": [{"description": "%s"}],
          "provisionKeys": [{"publicKey": "%s", "uuid": "%s"}],
          "signing": {"key": "file:%s", "keyUuid": "%s", "allowSampleKeys": true},
          "trust": ["%s"],
          "bundle": {"file": "three.kbundle", "mfa2": "three.mfa2", "pldm": "three.fwpkg",
                     "pldmVersion": "1.3"}
        }
        """.formatted(description, fixtures.publicKey, Fixtures.TRUSTED_UUID, fixtures.privateKey,
            Fixtures.TRUSTED_UUID, fixtures.publicKey), StandardCharsets.UTF_8);
    Fixtures.Result result = Fixtures.kiln("release", release.toString());
    assertEquals(0, result.exitCode(), result.out() + result.err());
    assertTrue(result.out().contains("[7/7] packages"), result.out());
    assertTrue(result.out().contains("three.mfa2: 1 image(s), verified"), result.out());
    assertTrue(result.out().contains("three.fwpkg: 1 image(s), verified"), result.out());
    assertTrue(result.out().contains("three.kbundle: verified"), result.out());
    Path out = dir.resolve("three-out");
    for (String name : List.of("three.kbundle", "three.mfa2", "three.fwpkg")) {
      Fixtures.Result verify =
          Fixtures.kiln("bundle", "verify", out.resolve(name).toString(), "--trust",
              fixtures.publicKey.toString());
      assertEquals(0, verify.exitCode(), name + ": " + verify.out() + verify.err());
    }
    Fixtures.Result inspect = Fixtures.kiln("bundle", "inspect", out.resolve("three.fwpkg").toString());
    assertTrue(inspect.out().contains("DSP0267 1.3"), inspect.out());

    Path policy = policy("with-keys", "\"packageKeys\": [\"" + fixtures.publicKey + "\"],");
    Fixtures.Result gate = Fixtures.kiln("gate", "--policy", policy.toString(),
        out.resolve("three.kbundle").toString(), out.resolve("three.mfa2").toString(),
        out.resolve("three.fwpkg").toString(), out.resolve("cx6dx.bin").toString());
    assertEquals(0, gate.exitCode(), gate.out() + gate.err());
    assertTrue(gate.out().contains("ok   " + out.resolve("three.mfa2") + "!MT_0000000528 component 0"),
        gate.out());

    Fixtures.Result json = Fixtures.kiln("gate", "--policy", policy.toString(), "--json",
        out.resolve("three.mfa2").toString());
    assertEquals(0, json.exitCode(), json.out() + json.err());
    JsonNode images = MAPPER.readTree(json.out()).get("images");
    assertEquals(2, images.size(), json.out());
    assertEquals(out.resolve("three.mfa2").toString(), images.get(0).get("path").asText());
    assertEquals(HexDigests.sha256(Files.readAllBytes(out.resolve("three.mfa2"))),
        images.get(0).get("sha256").asText());
    // The component has no DTOC, which the structure check expects of an MFA2 component.
    assertEquals(out.resolve("three.mfa2") + "!MT_0000000528 component 0",
        images.get(1).get("path").asText());
    assertTrue(images.get(1).get("accepted").asBoolean(), json.out());
    assertEquals("MT_0000000528", images.get(1).get("psid").asText());

    Path sarif = dir.resolve("closed.sarif");
    Path junit = dir.resolve("closed.xml");
    Fixtures.Result closed = Fixtures.kiln("gate", "--policy", policy("no-keys", "").toString(),
        "--sarif", sarif.toString(), "--junit", junit.toString(), "--json",
        out.resolve("three.mfa2").toString());
    assertEquals(1, closed.exitCode(), closed.out());
    JsonNode root = MAPPER.readTree(closed.out());
    assertEquals("failed", root.get("verdict").asText());
    // Fail closed: the package is the one result, and none of its images is judged.
    assertEquals(1, root.get("images").size(), closed.out());
    assertEquals("GATE_PACKAGE_UNVERIFIED",
        root.at("/images/0/findings/0/code").asText(), closed.out());
    JsonNode results = MAPPER.readTree(sarif.toFile()).at("/runs/0/results");
    assertEquals(1, results.size(), results.toString());
    assertEquals("GATE_PACKAGE_UNVERIFIED", results.get(0).get("ruleId").asText());
    String xml = Files.readString(junit);
    assertTrue(xml.contains("name=\"GATE_PACKAGE_UNVERIFIED\""), xml);
    assertTrue(xml.contains("<failure"), xml);

    // A package key the policy names but the gate cannot read stops the gate, as a trust file.
    Fixtures.Result missing = Fixtures.kiln("gate", "--policy",
        policy("missing-key", "\"packageKeys\": [\"" + dir.resolve("gone.pem") + "\"],")
            .toString(), out.resolve("cx6dx.bin").toString());
    assertEquals(3, missing.exitCode(), missing.out() + missing.err());
    assertTrue(missing.err().contains("cannot read package key file"), missing.err());

    Fixtures.Result misspelt = Fixtures.kiln("gate", "--policy",
        policy("misspelt", "\"packageKey\": [\"" + fixtures.publicKey + "\"],").toString(),
        out.resolve("three.mfa2").toString());
    assertEquals(3, misspelt.exitCode(), misspelt.out() + misspelt.err());
    assertTrue(misspelt.err().contains(":8:3: policy member 'packageKey' is not known; did you mean"
        + " 'packageKeys'?"), misspelt.err());
  }
}
