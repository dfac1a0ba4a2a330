package dev.kiln.burner;

import dev.kiln.inspector.section.FwVersion;
import java.util.Optional;

/**
 * What a finished burn did.
 *
 * @param device the device URI
 * @param componentBytes bytes written through MCDA
 * @param transferNanos time spent in the MCDA transfer
 * @param totalNanos time of the whole MCC flow, lock to release
 * @param transactions register transactions sent (retries included)
 * @param activated whether ACTIVATE was sent
 * @param runningVersion the running version after the burn
 * @param pendingVersion the pending version after the burn, if any
 */
public record BurnReport(
    String device,
    long componentBytes,
    long transferNanos,
    long totalNanos,
    long transactions,
    boolean activated,
    FwVersion runningVersion,
    Optional<FwVersion> pendingVersion) {

  /** MiB per second of the MCDA transfer. */
  public double mibPerSecond() {
    return transferNanos <= 0 ? 0 : componentBytes / (1024.0 * 1024.0) / (transferNanos / 1e9);
  }
}
