package dev.kiln.pipeline.cli;

import dev.kiln.pipeline.check.FindingCatalog;
import dev.kiln.pipeline.check.ImageFactsSources;
import dev.kiln.pipeline.gate.Gate;
import dev.kiln.pipeline.gate.GatePolicy;
import dev.kiln.pipeline.gate.GateResult;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.pipeline.report.ReportEntry;
import dev.kiln.pipeline.report.ReportFiles;
import dev.kiln.signer.KeyAccessException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln gate IMAGE... --policy POLICY.json [--sarif FILE] [--junit FILE]}: the CI gate. Fails
 * closed (exit 1) on any unsigned, mis-signed, mis-targeted or forbidden image and writes reports
 * for code-scanning (SARIF 2.1.0) and test (JUnit XML) views.
 */
@Command(
    name = "gate",
    mixinStandardHelpOptions = true,
    description = {
      "CI gate: check images against a release policy.",
      "The policy names trusted keys, required signatures, allowed PSIDs and devices, the"
          + " forbidden-versions feed and the minimum security version. Exit 0 only when every"
          + " image passes."
    })
public final class GateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Images to gate.")
  List<Path> images;

  @Option(names = "--policy", required = true, paramLabel = "POLICY", description = "Policy.")
  Path policyFile;

  @Option(names = "--sarif", paramLabel = "FILE", description = "Write a SARIF 2.1.0 report.")
  Path sarif;

  @Option(names = "--junit", paramLabel = "FILE", description = "Write a JUnit XML report.")
  Path junit;

  @Option(names = "--json", description = "Print the results as JSON.")
  boolean json;

  @Override
  public Integer call() throws IOException, KeyAccessException {
    SignCommand.requireReadable(policyFile);
    GatePolicy policy;
    try {
      policy = GatePolicy.load(policyFile);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(ExitCodes.UNREADABLE_INPUT, policyFile + ": " + e.getMessage());
    }
    GateResult result =
        new Gate(policy, ImageFactsSources.standard(), FeedCommand.clock).run(images);
    ReportFiles.write(
        result.entries(), sarif, junit, "kiln gate", FindingCatalog::describe, null);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(ReportFiles.json(result.entries()));
    } else {
      for (ReportEntry entry : result.entries()) {
        out.printf("%-4s %s%n", entry.accepted() ? "ok" : "FAIL", entry.subject());
        for (CheckFinding finding : entry.findings()) {
          out.printf("       %s%n", finding);
        }
      }
      long failed = result.entries().stream().filter(e -> !e.accepted()).count();
      out.println(
          result.passed()
              ? "gate passed: " + images.size() + " image(s)"
              : "gate FAILED: " + failed + " of " + result.entries().size() + " input(s) refused");
    }
    return result.passed() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
  }
}
