package dev.kiln.pipeline.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of checking one subject (an image file, usually): which checks ran and what they
 * found. Reports need the checks that passed too: JUnit shows each as a passing test case, and a
 * check that could not run at all (its input is not an image) as an error, never as a pass.
 *
 * @param subject the input as the user named it (a path), used as SARIF artifact location
 * @param checks codes of every check that applies to this subject, in evaluation order
 * @param findings what the checks found; a finding whose code is not in {@code checks} is still
 *     reported
 * @param notEvaluated checks of {@code checks} that could not run, each with the reason (in
 *     {@code checks} order); a subject with any is not accepted
 */
public record ReportEntry(
    String subject, List<String> checks, List<CheckFinding> findings,
    Map<String, String> notEvaluated) {
  public ReportEntry {
    Objects.requireNonNull(subject, "subject");
    checks = List.copyOf(checks);
    findings = List.copyOf(findings);
    notEvaluated = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(notEvaluated));
  }

  /** An entry whose every check ran. */
  public ReportEntry(String subject, List<String> checks, List<CheckFinding> findings) {
    this(subject, checks, findings, Map.of());
  }

  /** True when no finding is an error and every check ran. */
  public boolean accepted() {
    return notEvaluated.isEmpty() && findings.stream().noneMatch(CheckFinding::isError);
  }
}
