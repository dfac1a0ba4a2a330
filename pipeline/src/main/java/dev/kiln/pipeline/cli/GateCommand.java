package dev.kiln.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kiln.pipeline.check.FindingCatalog;
import dev.kiln.pipeline.check.ImageFactsSources;
import dev.kiln.pipeline.gate.Gate;
import dev.kiln.pipeline.gate.GateCodes;
import dev.kiln.pipeline.gate.GatePolicy;
import dev.kiln.pipeline.gate.GatePolicyException;
import dev.kiln.pipeline.gate.GateResult;
import dev.kiln.pipeline.gate.GateRun;
import dev.kiln.pipeline.gate.GateSetupException;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.pipeline.report.GitHubAnnotations;
import dev.kiln.pipeline.report.ReportEntry;
import dev.kiln.pipeline.report.ReportFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln gate IMAGE... --policy POLICY.json [--sarif FILE] [--junit FILE] [--json]}: the CI
 * gate. Fails closed (exit 1) on any unsigned, mis-signed, mis-targeted or forbidden image.
 *
 * <p>The reports are written for every run whose arguments parsed, also when the policy, a trust
 * file or the feed file cannot be used (exit 3 or 4, one result saying why), so that a CI job's
 * "always upload the reports" step has them. Under GitHub Actions ({@code GITHUB_ACTIONS=true})
 * every finding is also a workflow annotation and the run appends a table to {@code
 * $GITHUB_STEP_SUMMARY}.
 */
@Command(
    name = "gate",
    mixinStandardHelpOptions = true,
    description = {
      "CI gate: check images against a release policy.",
      "The policy names trusted keys, required signatures, allowed PSIDs and devices, the"
          + " forbidden-versions feed and the minimum security version. Exit 0 only when every"
          + " image passes; the reports are written even when the policy or a trust file"
          + " cannot be used."
    })
public final class GateCommand implements Callable<Integer> {
  /** The process environment (GitHub Actions variables); a seam for nothing but reading it. */
  static final Function<String, String> ENVIRONMENT = System::getenv;

  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Images to gate.")
  List<Path> images;

  @Option(names = "--policy", required = true, paramLabel = "POLICY", description = "Policy.")
  Path policyFile;

  @Option(names = "--sarif", paramLabel = "FILE", description = "Write a SARIF 2.1.0 report.")
  Path sarif;

  @Option(names = "--junit", paramLabel = "FILE", description = "Write a JUnit XML report.")
  Path junit;

  @Option(
      names = "--json",
      description = "Print one JSON object: verdict, exit code, feed, and per image its path,"
          + " SHA-256, PSID, version and findings.")
  boolean json;

  @Override
  public Integer call() throws IOException {
    GateRun run = run();
    ReportFiles.write(
        run.entries(), sarif, junit, "kiln gate",
        FindingCatalog.sarifContext(run.exitCode(), run.artifacts()));
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (GitHubAnnotations.active(ENVIRONMENT)) {
      // stdout carries the one JSON document with --json; the runner reads commands on both.
      PrintWriter annotations = json ? err : out;
      GitHubAnnotations.commands(run.entries(), Path.of("")).forEach(annotations::println);
      annotations.flush();
      appendStepSummary(run);
    }
    if (json) {
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      out.println(mapper.writeValueAsString(run.json(mapper)));
    } else if (run.result().isPresent()) {
      printText(out, run.result().get());
      out.println(run.summaryLine());
    }
    out.flush();
    if (run.failure().isPresent()) {
      CheckFinding why = run.failure().get().findings().get(0);
      throw new CommandFailure(run.exitCode(), why.message());
    }
    return run.exitCode();
  }

  /** Loads the policy and runs the gate; a file it cannot use becomes the run's one entry. */
  private GateRun run() {
    GatePolicy policy;
    try {
      policy = GatePolicy.load(policyFile);
    } catch (GatePolicyException e) {
      CheckFinding finding = CheckFinding.error(GateCodes.POLICY_INVALID, e.getMessage());
      return GateRun.notStarted(policyFile, ExitCodes.UNREADABLE_INPUT, policyFile,
          e.position().map(finding::at).orElse(finding));
    } catch (IOException e) {
      return GateRun.notStarted(policyFile, ExitCodes.UNREADABLE_INPUT, policyFile,
          CheckFinding.error(GateCodes.POLICY_INVALID,
              "cannot read policy " + policyFile + ": " + Gate.reason(policyFile, e)));
    }
    try {
      GateResult result =
          new Gate(policy, ImageFactsSources.standard(), FeedCommand.clock).run(images);
      return GateRun.judged(
          policyFile, result.passed() ? ExitCodes.OK : ExitCodes.CHECK_FAILED, result);
    } catch (GateSetupException e) {
      int exit =
          e.kind() == GateSetupException.Kind.KEY
              ? ExitCodes.KEY_ACCESS : ExitCodes.UNREADABLE_INPUT;
      // Reported where the policy names the file: that line is what a reviewer changes.
      CheckFinding finding = CheckFinding.error(e.code(), e.getMessage());
      return policy.namedAt(e.file())
          .map(where -> GateRun.notStarted(policyFile, exit, policyFile, finding.at(where)))
          .orElseGet(() -> GateRun.notStarted(policyFile, exit, e.file(), finding));
    }
  }

  private static void printText(PrintWriter out, GateResult result) {
    result.feed().ifPresent(feed -> out.printf("feed %s %s%n",
        feed.usable() ? "verified" : "UNUSABLE",
        feed.path() + feed.problem().map(p -> " (" + p + ")")
            .orElse(feed.sequence().map(s -> " (sequence " + s + ")").orElse(""))));
    for (GateResult.ImageResult image : result.images()) {
      ReportEntry entry = image.entry();
      out.printf("%-4s %s%s%n", entry.accepted() ? "ok" : "FAIL", entry.subject(),
          image.facts().map(f -> " (" + f.psid() + " " + f.version() + ")").orElse(""));
      for (CheckFinding finding : entry.findings()) {
        out.printf("       %s%s%n", finding,
            finding.region().map(r -> " [at " + r + "]").orElse(""));
      }
      if (!entry.notEvaluated().isEmpty()) {
        out.printf("       not evaluated (%s): %s%n",
            String.join("; ", entry.notEvaluated().values().stream().distinct().toList()),
            entry.notEvaluated().keySet().stream().collect(Collectors.joining(", ")));
      }
    }
  }

  /**
   * Appends the run's table to the file GitHub names in {@code GITHUB_STEP_SUMMARY} (the runner
   * creates it and shows it on the run's page; appending is how steps share it).
   */
  private void appendStepSummary(GateRun run) {
    String file = ENVIRONMENT.apply("GITHUB_STEP_SUMMARY");
    if (file == null || file.isBlank()) {
      return;
    }
    try {
      Files.writeString(Path.of(file), run.markdownSummary() + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    } catch (IOException e) {
      // The summary is a convenience; the gate's verdict and reports stand without it.
      spec.commandLine().getErr().println(
          "kiln: warning: cannot append to GITHUB_STEP_SUMMARY " + file + ": "
              + Gate.reason(Path.of(file), e));
    }
  }
}
