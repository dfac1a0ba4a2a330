package dev.kiln.pipeline.cli;

import dev.kiln.burner.BurnCancelledException;
import dev.kiln.burner.BurnOptions;
import dev.kiln.burner.BurnReport;
import dev.kiln.burner.DeviceException;
import dev.kiln.burner.DeviceInfo;
import dev.kiln.burner.ImageRejectedException;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.precheck.DeviceProfile;
import dev.kiln.burner.precheck.DeviceProfiles;
import dev.kiln.burner.precheck.ImageFacts;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.bundle.BundleBurn;
import dev.kiln.pipeline.bundle.VerifiedBundle;
import dev.kiln.pipeline.check.CheckedImage;
import dev.kiln.pipeline.check.ImageCheck;
import dev.kiln.pipeline.feed.ForbiddenVersionsFeed;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.pipeline.report.ReportEntry;
import dev.kiln.registers.TransportException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code kiln update} on one device: query it, pick the bundle's image for its PSID and HW id,
 * and then
 *
 * <ol>
 *   <li>the image's version already on flash (running, or activated and pending a reset): {@code
 *       up-to-date}, nothing is sent beyond the query (mlxfwmanager's "up to date", exit 0);
 *   <li>else {@code kiln check}'s engine ({@link ImageCheck}: the burner's pre-check plus the
 *       forbidden-versions feed) on the verified bytes; an error finding: {@code refused};
 *   <li>{@code --dry-run}: {@code would-burn}. The profile comes from the query registers only,
 *       as for {@code kiln burn} without {@code --read-back}, so no MCC update handle is ever
 *       taken (the trusted-key and forbidden-list checks then warn, and the device itself
 *       refuses such images at VERIFY); {@code --read-back}, for a real run only, reads the
 *       running image back first so the pre-check refuses them before anything is written;
 *   <li>else the MCC burn of exactly those bytes with activation ({@code burned}), as {@code kiln
 *       burn --bundle} does.
 * </ol>
 *
 * Finding codes of its own (besides the pre-check's, the feed's and the bundle's):
 * {@code BUNDLE_NO_IMAGE}, {@code IMAGE_UNREADABLE}, {@code DEVICE_LIVEFISH}, {@code
 * DEVICE_REJECTED}, {@code DEVICE_FAILED}, {@code CANCELLED}, {@code INTERRUPTED}
 * (docs/burner.md).
 */
final class DeviceUpdate {
  /**
   * What every device of one {@code kiln update} shares.
   *
   * @param bundle the verified bundle
   * @param feed the verified forbidden-versions feed, if one was given
   * @param feedProblem why the given feed cannot be used (refuses every image), if so
   * @param dryRun check only
   * @param readBack read the running image back for the pre-check (never with dryRun)
   * @param confirmation asks the operator before each burn (always yes with {@code --yes})
   * @param progress a fresh progress display for each burn (stderr)
   */
  record Settings(
      VerifiedBundle bundle,
      Optional<ForbiddenVersionsFeed> feed,
      Optional<CheckFinding> feedProblem,
      boolean dryRun,
      boolean readBack,
      Confirmation confirmation,
      Supplier<BurnProgress> progress) {}

  /** Asks whether to burn; false declines. */
  @FunctionalInterface
  interface Confirmation {
    boolean confirm(String question);
  }

  private final Settings settings;
  private final HostDevices.Entry entry;
  private final boolean named;
  private final BurnAttempt attempt;
  private final BurnInterruption interruption;
  private String psid;
  private String runningBefore;
  private String pendingBefore;
  private String image;
  private String imageVersion;
  /** The device re-queried after a burn (for the log record), when that worked. */
  private DeviceInfo after;

  private DeviceUpdate(
      Settings settings, HostDevices.Entry entry, boolean named, BurnAttempt attempt,
      BurnInterruption interruption) {
    this.settings = settings;
    this.entry = entry;
    this.named = named;
    this.attempt = attempt;
    this.interruption = interruption;
  }

  /**
   * Updates one device.
   *
   * @param named the operator named it (a device the bundle does not serve is then refused; a
   *     host adapter found by the scan is skipped)
   * @param attempt the burn-log record of this device (written for every outcome that considered
   *     a burn: burned, refused, failed, interrupted; not for up to date, would burn, skipped)
   * @param interruption SIGINT/SIGTERM handling of this device's burn (cancel and release)
   */
  static UpdateOutcome run(
      Settings settings, HostDevices.Entry entry, boolean named, BurnAttempt attempt,
      BurnInterruption interruption) {
    DeviceUpdate update = new DeviceUpdate(settings, entry, named, attempt, interruption);
    UpdateOutcome outcome = update.run();
    String result =
        switch (outcome.action()) {
          case BURNED -> "ok";
          case REFUSED -> "refused";
          case FAILED -> "failed";
          case INTERRUPTED -> "interrupted";
          case UP_TO_DATE, WOULD_BURN, SKIPPED -> null;
        };
    if (result != null) {
      attempt.record(
          update.after, result,
          outcome.findings().stream().filter(CheckFinding::isError)
              .map(CheckFinding::toString).findFirst().orElse(""));
    }
    return outcome;
  }

  private String uri() {
    return entry.uri().text();
  }

  private UpdateOutcome run() {
    try (SecureDevice session = DeviceOptions.open(entry.uri(), null)) {
      return update(session);
    } catch (BurnCancelledException e) {
      String message =
          uri() + ": interrupted: the burn was cancelled and the update handle released; the"
              + " device keeps the image it had";
      return outcome(
          UpdateOutcome.Action.INTERRUPTED, null, null,
          List.of(CheckFinding.error("INTERRUPTED", message)), uri() + ": interrupted",
          BurnRun.INTERRUPTED);
    } catch (DeviceException | TransportException e) {
      return outcome(
          UpdateOutcome.Action.FAILED, null, null,
          List.of(CheckFinding.error("DEVICE_FAILED", message(e))), uri() + ": failed",
          ExitCodes.DEVICE);
    }
  }

  private UpdateOutcome update(SecureDevice session)
      throws DeviceException, TransportException {
    if (session.isLivefish()) {
      String message =
          "in flash-not-present (livefish) recovery mode: restore it with 'kiln burn --device "
              + uri() + " --psid PSID IMAGE'";
      return outcome(
          UpdateOutcome.Action.FAILED, null, null,
          List.of(CheckFinding.error("DEVICE_LIVEFISH", message)), uri() + ": failed",
          ExitCodes.DEVICE);
    }
    DeviceInfo info = session.query();
    attempt.deviceBefore(info);
    psid = info.psid();
    runningBefore = info.runningVersion().toString();
    pendingBefore = info.pendingVersion().map(FwVersion::toString).orElse(null);
    Optional<BundleBurn.Selection> selection =
        settings.bundle().select(info.psid(), info.hwDeviceId());
    if (selection.isEmpty()) {
      String why = settings.bundle().noImageFor(info.psid(), info.hwDeviceId());
      return named
          ? outcome(UpdateOutcome.Action.REFUSED, null, null,
              List.of(CheckFinding.error("BUNDLE_NO_IMAGE", why)), uri() + ": refused",
              ExitCodes.CHECK_FAILED)
          : outcome(UpdateOutcome.Action.SKIPPED, null, null,
              List.of(CheckFinding.warning("BUNDLE_NO_IMAGE", why)),
              uri() + ": skipped", ExitCodes.OK);
    }
    image = selection.get().entry().path();
    String source = settings.bundle().path() + ":" + image;
    // The verified bytes, parsed and judged once; the burn writes exactly these (CheckedImage).
    CheckedImage checked;
    byte[] component;
    try {
      checked = CheckedImage.of(selection.get().image(), source);
      component = BurnCommand.component(checked.image());
    } catch (IOException e) {
      return outcome(
          UpdateOutcome.Action.FAILED, null, null,
          List.of(CheckFinding.error("IMAGE_UNREADABLE", message(e))), uri() + ": failed",
          ExitCodes.UNREADABLE_INPUT);
    }
    attempt.image(checked.sha512Hex(), settings.bundle().sha512());
    ImageFacts facts = checked.facts();
    imageVersion = facts.version().toString();
    if (info.flashVersion().equals(facts.version())) {
      return upToDate(info);
    }
    DeviceProfile profile;
    try {
      profile = DeviceProfiles.of(session, info, settings.readBack(), interruption.readBack());
      interruption.readBackDone();
    } catch (ImageRejectedException e) {
      return outcome(
          UpdateOutcome.Action.FAILED, null, null,
          List.of(CheckFinding.error("DEVICE_FAILED", message(e))), uri() + ": failed",
          ExitCodes.DEVICE);
    }
    ReportEntry check =
        ImageCheck.check(source, facts, profile, settings.feed(), settings.feedProblem());
    if (!check.accepted()) {
      return outcome(
          UpdateOutcome.Action.REFUSED, null, null, check.findings(),
          Refusals.summary(uri(), "refused before writing anything", errorCodes(check)),
          ExitCodes.CHECK_FAILED);
    }
    String plan = "FW " + facts.version() + " over " + info.flashVersion();
    if (settings.dryRun()) {
      return outcome(
          UpdateOutcome.Action.WOULD_BURN, null, null, check.findings(),
          uri() + ": would burn " + plan + " (dry run: nothing was sent beyond queries)",
          ExitCodes.OK);
    }
    if (!settings.confirmation().confirm("Burn " + plan + " onto " + uri() + "?")) {
      List<CheckFinding> findings = new ArrayList<>(check.findings());
      findings.add(CheckFinding.error("CANCELLED", "the operator declined the burn"));
      return outcome(
          UpdateOutcome.Action.REFUSED, null, null, findings,
          uri() + ": not burned", ExitCodes.CHECK_FAILED);
    }
    BurnReport report;
    try {
      report =
          session.burn(
              component, new BurnOptions(true, facts.version()),
              interruption.guard(settings.progress().get()));
    } catch (ImageRejectedException e) {
      List<CheckFinding> findings = new ArrayList<>(check.findings());
      findings.add(CheckFinding.error("DEVICE_REJECTED", message(e)));
      return outcome(
          UpdateOutcome.Action.REFUSED, null, null, findings, uri() + ": refused by the device",
          ExitCodes.CHECK_FAILED);
    }
    try {
      after = session.query();
    } catch (DeviceException | TransportException e) {
      after = null; // burned and verified by the report's own re-query; the record says less
    }
    return outcome(
        UpdateOutcome.Action.BURNED, report.runningVersion().toString(),
        report.pendingVersion().map(FwVersion::toString).orElse(null), check.findings(),
        uri() + ": burned " + plan + "; it runs after 'kiln device reset --device " + uri()
            + "' or a reboot",
        ExitCodes.OK);
  }

  private UpdateOutcome upToDate(DeviceInfo info) {
    String message =
        info.pendingVersion().isPresent()
            ? uri() + ": up to date (FW " + imageVersion + " is pending; it runs after 'kiln"
                + " device reset --device " + uri() + "' or a reboot)"
            : uri() + ": up to date (FW " + imageVersion + ")";
    return outcome(
        UpdateOutcome.Action.UP_TO_DATE, runningBefore, pendingBefore, List.of(), message,
        ExitCodes.OK);
  }

  private UpdateOutcome outcome(
      UpdateOutcome.Action action, String runningAfter, String pendingAfter,
      List<CheckFinding> findings, String message, int exitCode) {
    return new UpdateOutcome(
        uri(), psid, runningBefore, pendingBefore, image, imageVersion, action, runningAfter,
        pendingAfter, findings, message, exitCode);
  }

  private static List<String> errorCodes(ReportEntry check) {
    return check.findings().stream().filter(CheckFinding::isError).map(CheckFinding::code)
        .toList();
  }

  private static String message(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
