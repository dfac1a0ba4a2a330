package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.pipeline.gate.ReportSchemas;
import dev.kiln.testkit.Mstflint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln gate} as a CI job runs it: a process of its own, started in the checkout with
 * relative image paths. Under GitHub Actions' variables it annotates and writes the step summary;
 * its SARIF is relative to the working directory; and Microsoft's SARIF Multitool (a real SARIF
 * consumer, {@code npm install @microsoft/sarif-multitool}, which {@code .ci/run} installs and
 * names in {@code KILN_SARIF_MULTITOOL}) validates every form of report the gate writes.
 */
class GateInCiTest {
  @TempDir static Path dir;
  static Fixtures fixtures;
  static final ObjectMapper MAPPER = new ObjectMapper();

  @BeforeAll
  static void setUp() throws Exception {
    fixtures = new Fixtures(dir);
    fixtures.signed(SampleFirmware.Spec.secure("22.41.1000"), "good");
    fixtures.unsigned(SampleFirmware.Spec.secure("22.41.1000"), "unsigned");
    Files.writeString(dir.resolve("readme.bin"), "not firmware\n");
    Files.writeString(dir.resolve("policy.json"),
        """
        {
          "trustedKeys": ["%s"],
          "requiredSignatures": ["IMAGE_SIGNATURE_256"],
          "allowedPsids": ["MT_0000000528"],
          "allowedDeviceIds": ["0x212"],
          "minimumSecurityVersion": 1,
          "requireSecureFw": true,
          "allowSampleKeys": true
        }
        """.formatted(fixtures.publicKey.getFileName()), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("typo-policy.json"),
        Files.readString(dir.resolve("policy.json")).replace("requireSecureFw", "requireSecureFW"));
    Files.writeString(dir.resolve("strict-policy.json"),
        Files.readString(dir.resolve("policy.json")).replace(",\n  \"allowSampleKeys\": true", ""));
  }

  @AfterAll
  static void tearDown() {
    fixtures.close();
  }

  /** {@code kiln gate ARGS} in a child JVM started in {@link #dir}, with these variables. */
  static Mstflint.Result gateInDir(List<String> environment, String... args) {
    List<String> prefix = new ArrayList<>(List.of("env"));
    prefix.addAll(environment);
    prefix.addAll(List.of("sh", "-c", "cd \"$0\" && exec \"$@\"", dir.toString()));
    List<String> all = new ArrayList<>(List.of("gate"));
    all.addAll(List.of(args));
    return KilnChildProcess.run(prefix, all.toArray(String[]::new));
  }

  @Test
  void underGitHubActionsFindingsAreAnnotationsAndTheStepSummaryIsATable() throws Exception {
    Path summary = dir.resolve("step-summary.md");
    Files.writeString(summary, "earlier step\n");
    Mstflint.Result result =
        gateInDir(
            List.of("GITHUB_ACTIONS=true", "GITHUB_STEP_SUMMARY=" + summary),
            "good.bin", "unsigned.bin", "readme.bin", "--policy", "policy.json",
            "--sarif", "gate.sarif", "--junit", "gate.xml");
    assertEquals(1, result.exitCode(), result.stdout() + result.stderr());
    List<String> lines = result.stdout().lines().toList();
    assertTrue(
        lines.contains("::error file=unsigned.bin,title=kiln GATE_UNSIGNED::GATE_UNSIGNED: the"
            + " image is not signed"),
        result.stdout());
    assertTrue(
        lines.contains("::error file=readme.bin,title=kiln GATE_PSID_NOT_ALLOWED::"
            + "GATE_PSID_NOT_ALLOWED was not evaluated: the file is not a readable FS4 image"),
        result.stdout());
    String markdown = Files.readString(summary);
    assertTrue(markdown.startsWith("earlier step\n### kiln gate: failed\n"), markdown);
    assertTrue(markdown.contains("| `good.bin` | pass | MT_0000000528 | 22.41.1000 | `"),
        markdown);
    assertTrue(markdown.contains("| `unsigned.bin` | **FAIL** |"), markdown);
    assertTrue(markdown.contains("gate FAILED: 2 of 3 image(s) refused"), markdown);
    // SARIF locations relative to the working directory, which originalUriBaseIds names.
    JsonNode run = MAPPER.readTree(dir.resolve("gate.sarif").toFile()).at("/runs/0");
    JsonNode location = run.at("/results/0/locations/0/physicalLocation/artifactLocation");
    assertEquals("unsigned.bin", location.get("uri").asText(), run.toString());
    assertEquals("%SRCROOT%", location.get("uriBaseId").asText());
    assertEquals(dir.toRealPath().toUri().toString(),
        run.at("/originalUriBaseIds/%SRCROOT%/uri").asText());
    // An image-wide finding covers the whole file.
    assertEquals(Files.size(dir.resolve("unsigned.bin")),
        run.at("/results/0/locations/0/physicalLocation/region/byteLength").asLong());
  }

  @Test
  void underGitHubActionsAPolicyErrorIsAnnotatedAtItsLine() throws Exception {
    Mstflint.Result result =
        gateInDir(List.of("GITHUB_ACTIONS=true"), "good.bin", "--policy", "typo-policy.json");
    assertEquals(3, result.exitCode(), result.stdout() + result.stderr());
    assertTrue(
        result.stdout().startsWith("::error file=typo-policy.json,line=7,col=3,title=kiln"
            + " GATE_POLICY_INVALID::GATE_POLICY_INVALID: typo-policy.json:7:3: policy member"
            + " 'requireSecureFW' is not known; did you mean 'requireSecureFw'?"),
        result.stdout());
    assertEquals(
        "kiln: typo-policy.json:7:3: policy member 'requireSecureFW' is not known; did you mean"
            + " 'requireSecureFw'?\n",
        result.stderr());
  }

  @Test
  void withoutGitHubActionsThereIsNoAnnotation() {
    Mstflint.Result result =
        gateInDir(List.of("GITHUB_ACTIONS=false"), "good.bin", "--policy", "policy.json");
    assertEquals(0, result.exitCode(), result.stderr());
    assertTrue(result.stdout().lines().noneMatch(line -> line.startsWith("::")), result.stdout());
  }

  /** The SARIF Multitool command, or empty (the test is then skipped, saying why). */
  static Optional<String> multitool() {
    String named = System.getenv("KILN_SARIF_MULTITOOL");
    if (named != null && !named.isBlank() && Files.isExecutable(Path.of(named))) {
      return Optional.of(named);
    }
    for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, "sarif-multitool"))) {
        return Optional.of(Path.of(directory, "sarif-multitool").toString());
      }
    }
    return Optional.empty();
  }

  @Test
  void theSarifMultitoolValidatesEveryKindOfGateReport() throws Exception {
    Optional<String> tool = multitool();
    assumeTrue(tool.isPresent(),
        "SARIF Multitool not installed: set KILN_SARIF_MULTITOOL or put sarif-multitool on PATH"
            + " (npm install @microsoft/sarif-multitool; .ci/run does)");
    Files.writeString(dir.resolve("missing-key-policy.json"),
        Files.readString(dir.resolve("policy.json"))
            .replace(fixtures.publicKey.getFileName().toString(), "keys/gone.pub.pem"));
    // The judged run as CI runs it (relative URIs), the runs that cannot start in-process.
    Mstflint.Result judged =
        gateInDir(List.of("GITHUB_ACTIONS=false"), "good.bin", "unsigned.bin", "readme.bin",
            "--policy", "policy.json", "--sarif", "consumer-judged.sarif");
    assertEquals(1, judged.exitCode(), judged.stderr());
    List<Path> reports = new ArrayList<>(List.of(dir.resolve("consumer-judged.sarif")));
    for (String policy :
        List.of("typo-policy.json", "strict-policy.json", "missing-key-policy.json",
            "no-such-policy.json")) {
      Path sarif = dir.resolve("consumer-" + policy.replace(".json", ".sarif"));
      Fixtures.Result run =
          Fixtures.kiln("gate", dir.resolve("good.bin").toString(), "--policy",
              dir.resolve(policy).toString(), "--sarif", sarif.toString());
      assertTrue(run.exitCode() == 3 || run.exitCode() == 4, policy + ": " + run.err());
      reports.add(sarif);
    }
    for (Path report : reports) {
      ReportSchemas.assertValidSarif(Files.readAllBytes(report));
    }
    Path verdict = dir.resolve("consumer-validation.sarif");
    Files.deleteIfExists(verdict);
    List<String> validate = new ArrayList<>(List.of(tool.get(), "validate"));
    reports.forEach(report -> validate.add(report.toString()));
    validate.addAll(List.of("--output", verdict.toString()));
    Mstflint.Result validation = KilnChildProcess.runCommand(validate);
    assertEquals(0, validation.exitCode(), validation.stdout() + validation.stderr());
    // The validator reports each rule a file breaks as a result (errors and warnings).
    List<String> complaints = new ArrayList<>();
    for (JsonNode complaint : MAPPER.readTree(verdict.toFile()).at("/runs/0/results")) {
      String file = complaint.at("/locations/0/physicalLocation/artifactLocation/uri").asText();
      // A policy file that does not exist has no region to point at; GitHub code scanning
      // still needs the result's location, so that one result keeps it without a region.
      boolean missingFile = file.endsWith("consumer-no-such-policy.sarif")
          && complaint.get("ruleId").asText().equals("SARIF2017");
      if (!missingFile) {
        complaints.add(complaint.toString());
      }
    }
    assertEquals(List.of(), complaints, validation.stdout());
    assertTrue(validation.stdout().contains(reports.size() + " files scanned"),
        validation.stdout());
  }
}
