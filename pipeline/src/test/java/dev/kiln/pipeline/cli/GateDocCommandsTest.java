package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the commands of docs/pipeline.md, "Gate reports", as they stand in the file: the policy of
 * its JSON block written to {@code gate-policy.json}, each line of its shell block run by {@code
 * sh} with {@code kiln} on the PATH (this build) next to the files the demo keeps, and the exit
 * code each line's {@code # exit N} comment promises checked, with the reports it writes.
 */
class GateDocCommandsTest {
  private static final Path DOC = Path.of("..", "docs", "pipeline.md");
  private static final String SECTION = "## Gate reports";
  private static final Pattern EXIT = Pattern.compile("\\s+#\\s*exit (\\d+)\\s*$");

  @Test
  void theDocumentedGateCommandsRun(@TempDir Path work) throws Exception {
    List<String> policy = block("```json");
    List<String> commands = block("```sh");
    assertEquals(4, commands.size(), commands.toString());
    try (Fixtures fixtures = new Fixtures(work)) {
      // The demo's names: a signed image, an unsigned one, the sample public key.
      fixtures.signed(SampleFirmware.Spec.secure("22.41.1000"), "fw-22.41.1000");
      fixtures.unsigned(SampleFirmware.Spec.secure("22.38.1000"), "fw-22.38.1000.unsigned");
      assertEquals("sample-rsa2048-NOT-FOR-PRODUCTION.pub.pem",
          fixtures.publicKey.getFileName().toString());
    }
    Files.write(work.resolve("gate-policy.json"), policy, StandardCharsets.UTF_8);
    Path bin = work.resolve("bin");
    KilnChildProcess.launcherIn(bin);
    List<Mstflint.Result> results = new ArrayList<>();
    for (String line : commands) {
      Matcher exit = EXIT.matcher(line);
      assertTrue(exit.find(), "no '# exit N' comment: " + line);
      Mstflint.Result result =
          KilnChildProcess.runCommand(
              List.of("sh", "-c", "cd \"$1\" && PATH=\"$2:$PATH\" && " + line, "doc",
                  work.toString(), bin.toString()));
      assertEquals(Integer.parseInt(exit.group(1)), result.exitCode(),
          line + "\n" + result.output());
      results.add(result);
    }
    ObjectMapper mapper = new ObjectMapper();
    // 1: the reports of a passing run.
    ReportSchemas.assertValidSarif(Files.readAllBytes(work.resolve("kiln-gate.sarif")));
    ReportSchemas.assertValidJUnit(Files.readAllBytes(work.resolve("kiln-gate.xml")));
    // 2: the JSON verdict and facts.
    JsonNode json = mapper.readTree(results.get(1).stdout());
    assertEquals("failed", json.get("verdict").asText());
    assertEquals("22.41.1000", json.at("/images/0/version").asText());
    assertEquals("GATE_UNSIGNED", json.at("/images/1/findings/0/code").asText());
    // 3: a missing policy still leaves a SARIF report (overwriting the first), one result.
    JsonNode sarif = mapper.readTree(work.resolve("kiln-gate.sarif").toFile());
    assertEquals("GATE_POLICY_INVALID", sarif.at("/runs/0/results/0/ruleId").asText());
    assertTrue(results.get(2).stderr().startsWith("kiln: cannot read policy"),
        results.get(2).stderr());
    // 4: annotations and the step summary.
    assertTrue(results.get(3).stdout().startsWith(
        "::error file=fw-22.38.1000.unsigned.bin,title=kiln GATE_UNSIGNED::"),
        results.get(3).stdout());
    assertTrue(Files.readString(work.resolve("summary.md")).startsWith("### kiln gate: failed"));
  }

  /** The lines of the first block opened by {@code fence} in the section. */
  static List<String> block(String fence) throws Exception {
    List<String> lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
    int start = lines.indexOf(SECTION);
    assertTrue(start >= 0, "docs/pipeline.md has no section '" + SECTION + "'");
    List<String> block = new ArrayList<>();
    boolean inBlock = false;
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("## ")) {
        break;
      }
      if (!inBlock && line.equals(fence)) {
        inBlock = true;
      } else if (inBlock && line.startsWith("```")) {
        return block;
      } else if (inBlock) {
        block.add(line);
      }
    }
    throw new AssertionError("no " + fence + " block in '" + SECTION + "'");
  }
}
