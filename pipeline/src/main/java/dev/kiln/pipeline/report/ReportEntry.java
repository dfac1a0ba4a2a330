package dev.kiln.pipeline.report;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of checking one subject (an image file, usually): which checks ran and what they
 * found. Reports need the checks that passed too: JUnit shows each as a passing test case.
 *
 * @param subject the input as the user named it (a path), used as SARIF artifact location
 * @param checks codes of every check that was evaluated for this subject, in evaluation order
 * @param findings what the checks found; a finding whose code is not in {@code checks} is still
 *     reported
 */
public record ReportEntry(String subject, List<String> checks, List<CheckFinding> findings) {
  public ReportEntry {
    Objects.requireNonNull(subject, "subject");
    checks = List.copyOf(checks);
    findings = List.copyOf(findings);
  }

  /** True when no finding is an error. */
  public boolean accepted() {
    return findings.stream().noneMatch(CheckFinding::isError);
  }
}
