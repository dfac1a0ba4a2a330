package dev.kiln.inspector;

import java.util.Comparator;
import java.util.List;

/**
 * The outcome of structural verification: every finding, in mstflint's check order. The image
 * passes when there is no {@link Severity#ERROR} finding.
 *
 * @param findings all findings, ordered by {@link FindingCode} declaration order and, within one
 *     code, in the order they were found
 * @param sectionChecks the CRC verdict of every section, in table order (ITOC, then DTOC)
 */
public record VerificationResult(List<Finding> findings, List<SectionCheck> sectionChecks) {
  public VerificationResult {
    sectionChecks = List.copyOf(sectionChecks);
    // A stable sort keeps sections in entry order within one check.
    findings =
        findings.stream().sorted(Comparator.comparingInt(f -> f.code().ordinal())).toList();
  }

  /**
   * This result with {@code more} findings added (for checks layered on top of the structural
   * ones, such as signature verification).
   */
  public VerificationResult withFindings(List<Finding> more) {
    List<Finding> all = new java.util.ArrayList<>(findings);
    all.addAll(more);
    return new VerificationResult(all, sectionChecks);
  }

  /** The verdict for {@code section}, if it was checked. */
  public java.util.Optional<SectionCheck> check(Section section) {
    return sectionChecks.stream().filter(c -> c.section().equals(section)).findFirst();
  }

  /** True when no finding is an error. */
  public boolean passed() {
    return errors().isEmpty();
  }

  /** True when there is no error, and, if {@code warningsAsErrors}, no warning either. */
  public boolean passed(boolean warningsAsErrors) {
    return passed() && (!warningsAsErrors || warnings().isEmpty());
  }

  public List<Finding> errors() {
    return withSeverity(Severity.ERROR);
  }

  public List<Finding> warnings() {
    return withSeverity(Severity.WARNING);
  }

  /** True when some finding has {@code code}. */
  public boolean has(FindingCode code) {
    return findings.stream().anyMatch(f -> f.code() == code);
  }

  private List<Finding> withSeverity(Severity severity) {
    return findings.stream().filter(f -> f.severity() == severity).toList();
  }
}
