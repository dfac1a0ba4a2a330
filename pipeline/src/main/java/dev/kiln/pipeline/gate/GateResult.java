package dev.kiln.pipeline.gate;

import dev.kiln.pipeline.report.ReportEntry;
import java.util.List;

/**
 * The gate's outcome: one report entry per image (and one for the feed when the policy has one).
 *
 * @param entries in input order, the feed first
 */
public record GateResult(List<ReportEntry> entries) {
  public GateResult {
    entries = List.copyOf(entries);
  }

  /** True when every entry is accepted; the gate exits 0 only then. */
  public boolean passed() {
    return entries.stream().allMatch(ReportEntry::accepted);
  }
}
