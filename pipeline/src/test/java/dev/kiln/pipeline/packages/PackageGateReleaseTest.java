package dev.kiln.pipeline.packages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.demo.SampleFirmware;
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

    Fixtures.Result closed = Fixtures.kiln("gate", "--policy", policy("no-keys", "").toString(),
        out.resolve("three.mfa2").toString());
    assertEquals(1, closed.exitCode(), closed.out());
    assertTrue(closed.out().contains("GATE_PACKAGE_UNVERIFIED"), closed.out());
  }
}
