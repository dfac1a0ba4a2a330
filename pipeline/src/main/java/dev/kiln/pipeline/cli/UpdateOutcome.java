package dev.kiln.pipeline.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.pipeline.cli.json.ImageJson;
import dev.kiln.pipeline.report.CheckFinding;
import java.util.List;
import java.util.Locale;

/**
 * What {@code kiln update} did to one device: one JSON object of {@code kiln update --json}
 * (members documented in docs/burner.md, "kiln update"; an Ansible module consumes them).
 *
 * @param device the device URI
 * @param psid the device's PSID, or null when it did not answer
 * @param runningBefore the running version before, or null
 * @param pendingBefore the pending version before (activated, waiting for a reset), or null
 * @param image the bundle entry chosen for the device, or null
 * @param imageVersion its FW version, or null
 * @param action what happened
 * @param runningAfter the running version after, or null when the device was not burned
 * @param pendingAfter the pending version after, or null
 * @param findings every finding with its stable code, each printed once
 * @param message one sentence saying what happened
 * @param exitCode the exit code this device alone would give
 */
record UpdateOutcome(
    String device,
    String psid,
    String runningBefore,
    String pendingBefore,
    String image,
    String imageVersion,
    Action action,
    String runningAfter,
    String pendingAfter,
    List<CheckFinding> findings,
    String message,
    int exitCode) {

  UpdateOutcome {
    findings = List.copyOf(findings);
  }

  /** The {@code action} member. */
  enum Action {
    /** The device already has the bundle's image on flash (running, or pending a reset). */
    UP_TO_DATE,
    /** The newer image was burned and activated; it runs after a reset. */
    BURNED,
    /** {@code --dry-run}: every check passed; a real run would burn. */
    WOULD_BURN,
    /** Found on the host, but the bundle serves no image for its PSID (not an error). */
    SKIPPED,
    /** The pre-check, the bundle or the device refused the image; nothing was burned. */
    REFUSED,
    /** The device or its transport failed. */
    FAILED,
    /** SIGINT or SIGTERM cancelled the burn and released the handle; later devices untouched. */
    INTERRUPTED;

    /** As JSON and text print it: {@code up-to-date}, {@code would-burn}, ... */
    String text() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  ObjectNode toJson() {
    ObjectNode node = ImageJson.object();
    node.put("device", device);
    node.put("psid", psid);
    node.put("runningVersionBefore", runningBefore);
    node.put("pendingVersionBefore", pendingBefore);
    node.put("image", image);
    node.put("imageVersion", imageVersion);
    node.put("action", action.text());
    node.put("runningVersionAfter", runningAfter);
    node.put("pendingVersionAfter", pendingAfter);
    ArrayNode array = node.putArray("findings");
    for (CheckFinding finding : findings) {
      ObjectNode item = array.addObject();
      item.put("code", finding.code());
      item.put("severity", finding.severity().name());
      item.put("message", finding.message());
    }
    node.put("message", message);
    node.put("exitCode", exitCode);
    return node;
  }
}
