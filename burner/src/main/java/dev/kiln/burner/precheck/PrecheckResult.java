package dev.kiln.burner.precheck;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of pre-validation: every finding, in the order the checks ran.
 *
 * @param findings errors and warnings
 */
public record PrecheckResult(List<Finding> findings) {
  public PrecheckResult {
    findings = List.copyOf(findings);
  }

  /** True when no finding is an error: the device is expected to accept the image. */
  public boolean accepted() {
    return findings.stream().noneMatch(Finding::isError);
  }

  /** The errors only. */
  public List<Finding> errors() {
    return findings.stream().filter(Finding::isError).toList();
  }

  /** The warnings only. */
  public List<Finding> warnings() {
    return findings.stream().filter(finding -> !finding.isError()).toList();
  }

  /** The first error, which a one-line message reports. */
  public Optional<Finding> firstError() {
    return findings.stream().filter(Finding::isError).findFirst();
  }

  /** Whether a finding with {@code code} is present. */
  public boolean has(PrecheckCode code) {
    return findings.stream().anyMatch(finding -> finding.code() == code);
  }
}
