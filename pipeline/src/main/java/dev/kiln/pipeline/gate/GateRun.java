package dev.kiln.pipeline.gate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.pipeline.report.ArtifactDigest;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.pipeline.report.ReportEntry;
import dev.kiln.pipeline.report.ReportFiles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code kiln gate} run as the reports see it: either the images were judged ({@link
 * GateResult}), or the gate could not start (a policy, trust or feed file it cannot use), which is
 * then the run's one entry, located at that file. Every report form is made from this, so the
 * text, {@code --json}, SARIF, JUnit, annotations and step summary always agree.
 *
 * @param policyFile the policy as given on the command line
 * @param exitCode the exit code of the run
 * @param result the judged images, when the gate started
 * @param failure why the gate could not start (one error finding), when it did not
 */
public record GateRun(
    Path policyFile, int exitCode, Optional<GateResult> result, Optional<ReportEntry> failure) {
  public GateRun {
    Objects.requireNonNull(policyFile, "policyFile");
    if (result.isPresent() == failure.isPresent()) {
      throw new IllegalArgumentException("a gate run has a result or a failure, not both");
    }
  }

  /** A run that judged the images. */
  public static GateRun judged(Path policyFile, int exitCode, GateResult result) {
    return new GateRun(policyFile, exitCode, Optional.of(result), Optional.empty());
  }

  /** A run that could not start because of {@code file}: one finding {@code code}. */
  public static GateRun notStarted(
      Path policyFile, int exitCode, Path file, CheckFinding finding) {
    ReportEntry entry = new ReportEntry(file.toString(), List.of(finding.code()), List.of(finding));
    return new GateRun(policyFile, exitCode, Optional.empty(), Optional.of(entry));
  }

  /** {@code passed}, {@code failed} (an image refused) or {@code error} (the gate did not run). */
  public String verdict() {
    if (failure.isPresent()) {
      return "error";
    }
    return result.get().passed() ? "passed" : "failed";
  }

  /** The report entries: one per image, or the one entry saying why the gate did not start. */
  public List<ReportEntry> entries() {
    return result.map(GateResult::entries).orElseGet(() -> List.of(failure.get()));
  }

  /** SHA-256 and size per image subject whose bytes were read. */
  public Map<String, ArtifactDigest> artifacts() {
    Map<String, ArtifactDigest> digests = new LinkedHashMap<>();
    result.ifPresent(r -> r.images().forEach(i ->
        i.read().ifPresent(d -> digests.put(i.entry().subject(), d))));
    return digests;
  }

  /**
   * The {@code --json} document: verdict, exit code, policy, the feed's state, one object per
   * image (path, accepted, SHA-256, PSID, version, security version, findings, checks not
   * evaluated), the counts, and for a run that did not start the error.
   */
  public ObjectNode json(ObjectMapper mapper) {
    ObjectNode root = mapper.createObjectNode();
    root.put("verdict", verdict());
    root.put("exitCode", exitCode);
    root.put("policy", policyFile.toString());
    if (failure.isPresent()) {
      ReportEntry entry = failure.get();
      // The one finding, with where it is (the policy member's line and column, when known).
      ObjectNode error = (ObjectNode) ReportFiles.json(entry).get("findings").get(0);
      error.remove("severity");
      root.putObject("error").put("subject", entry.subject()).setAll(error);
      root.putArray("images");
      return root;
    }
    GateResult judged = result.get();
    judged.feed().ifPresent(feed -> {
      ObjectNode node = root.putObject("feed");
      node.put("path", feed.path().toString());
      node.put("usable", feed.usable());
      feed.sequence().ifPresent(s -> node.put("sequence", s));
      feed.problem().ifPresent(p -> {
        node.put("code", p.code());
        node.put("message", p.message());
      });
    });
    ArrayNode images = root.putArray("images");
    for (GateResult.ImageResult image : judged.images()) {
      ObjectNode node = ReportFiles.json(image.entry());
      ObjectNode ordered = images.addObject();
      ordered.put("path", image.entry().subject());
      ordered.put("accepted", image.entry().accepted());
      image.read().ifPresentOrElse(
          d -> ordered.put("sha256", d.sha256()), () -> ordered.putNull("sha256"));
      image.facts().ifPresentOrElse(
          facts -> {
            ordered.put("psid", facts.psid());
            ordered.put("version", facts.version().toString());
            ordered.put("securityVersion", facts.securityVersion());
          },
          () -> {
            ordered.putNull("psid");
            ordered.putNull("version");
            ordered.putNull("securityVersion");
          });
      ordered.set("findings", node.get("findings"));
      if (node.has("notEvaluated")) {
        ordered.set("notEvaluated", node.get("notEvaluated"));
      }
    }
    long refused = judged.images().stream().filter(i -> !i.entry().accepted()).count();
    ObjectNode counts = root.putObject("summary");
    counts.put("images", judged.images().size());
    counts.put("passed", judged.images().size() - refused);
    counts.put("failed", refused);
    return root;
  }

  /** The one-line summary the text output ends with (images only: the feed is no input). */
  public String summaryLine() {
    if (failure.isPresent()) {
      return "gate ERROR: no image was judged (" + failure.get().findings().get(0) + ")";
    }
    GateResult judged = result.get();
    long refused = judged.images().stream().filter(i -> !i.entry().accepted()).count();
    return judged.passed()
        ? "gate passed: " + judged.images().size() + " image(s)"
        : "gate FAILED: " + refused + " of " + judged.images().size() + " image(s) refused";
  }

  /**
   * The GitHub Actions step summary (Markdown): the verdict, the feed, and a table of the images
   * with their facts and the codes that refused them.
   */
  public String markdownSummary() {
    StringBuilder md = new StringBuilder();
    md.append("### kiln gate: ").append(verdict()).append("\n\n");
    md.append("Policy `").append(policyFile).append("`, exit code ").append(exitCode)
        .append(". ").append(summaryLine()).append(".\n\n");
    if (failure.isPresent()) {
      CheckFinding finding = failure.get().findings().get(0);
      md.append("**").append(finding.code()).append("** (`").append(failure.get().subject())
          .append("`): ").append(cell(finding.message())).append("\n");
      return md.toString();
    }
    GateResult judged = result.get();
    judged.feed().ifPresent(feed -> md.append("Forbidden-versions feed `").append(feed.path())
        .append("`: ")
        .append(feed.problem().map(p -> "**unusable** (" + cell(p.toString()) + ")")
            .orElse("verified" + feed.sequence().map(s -> " (sequence " + s + ")").orElse("")))
        .append("\n\n"));
    md.append("| image | result | PSID | version | SHA-256 | findings |\n");
    md.append("|---|---|---|---|---|---|\n");
    for (GateResult.ImageResult image : judged.images()) {
      ReportEntry entry = image.entry();
      StringBuilder codes = new StringBuilder();
      for (CheckFinding finding : entry.findings()) {
        codes.append(codes.length() == 0 ? "" : "<br>").append('`').append(finding.code())
            .append("` ").append(cell(finding.message()));
      }
      if (!entry.notEvaluated().isEmpty()) {
        codes.append(codes.length() == 0 ? "" : "<br>").append(entry.notEvaluated().size())
            .append(" check(s) not evaluated");
      }
      md.append("| `").append(cell(entry.subject())).append("` | ")
          .append(entry.accepted() ? "pass" : "**FAIL**").append(" | ")
          .append(image.facts().map(f -> f.psid()).orElse("-")).append(" | ")
          .append(image.facts().map(f -> f.version().toString()).orElse("-")).append(" | ")
          .append(image.read().map(d -> "`" + d.sha256().substring(0, 16) + "…`").orElse("-"))
          .append(" | ").append(codes.length() == 0 ? "-" : codes).append(" |\n");
    }
    return md.toString();
  }

  /** Text safe inside a Markdown table cell: no pipe, no line break, no HTML. */
  private static String cell(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("|", "\\|").replace("\r", " ").replace("\n", " ");
  }
}
