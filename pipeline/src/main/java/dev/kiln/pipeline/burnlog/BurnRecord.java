package dev.kiln.pipeline.burnlog;

import java.time.Instant;
import java.util.Objects;

/**
 * What one burn did, as an operator's log records it.
 *
 * @param time when the burn finished (or was refused)
 * @param device the device URI the burn went to
 * @param psid the device's PSID
 * @param beforeVersion the version the device ran before the burn
 * @param afterVersion the version it runs (or has pending) afterwards; equal to {@code
 *     beforeVersion} when the burn did not happen
 * @param imageSha512 lower-case hex SHA-512 of the image burnt
 * @param bundleSha512 lower-case hex SHA-512 of the bundle file the image came from, or null when
 *     the image was burnt directly
 * @param result {@code ok}, {@code refused} (pre-validation or the device said no), {@code
 *     failed} (transport or device error, unreadable input) or {@code interrupted} (SIGINT or
 *     SIGTERM; the detail says whether the handle was released)
 * @param detail one line: the finding or error behind a refusal/failure, empty on success
 * @param host the name of the host that ran the burn (empty in records written before it was
 *     logged)
 * @param deviceSerial what tells this device from the others of a fleet: its base MAC (MGIR
 *     manufacturing base MAC, 12 hex digits), empty when the device could not be queried
 */
public record BurnRecord(
    Instant time,
    String device,
    String psid,
    String beforeVersion,
    String afterVersion,
    String imageSha512,
    String bundleSha512,
    String result,
    String detail,
    String host,
    String deviceSerial) {

  /** A record without host and device serial (as records were before they were logged). */
  public BurnRecord(
      Instant time, String device, String psid, String beforeVersion, String afterVersion,
      String imageSha512, String bundleSha512, String result, String detail) {
    this(time, device, psid, beforeVersion, afterVersion, imageSha512, bundleSha512, result,
        detail, "", "");
  }

  public BurnRecord {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(psid, "psid");
    Objects.requireNonNull(beforeVersion, "beforeVersion");
    Objects.requireNonNull(afterVersion, "afterVersion");
    Objects.requireNonNull(imageSha512, "imageSha512");
    Objects.requireNonNull(result, "result");
    detail = detail == null ? "" : detail;
    host = host == null ? "" : host;
    deviceSerial = deviceSerial == null ? "" : deviceSerial;
  }
}
