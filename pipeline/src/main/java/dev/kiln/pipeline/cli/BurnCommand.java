package dev.kiln.pipeline.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.burner.BurnOptions;
import dev.kiln.burner.BurnReport;
import dev.kiln.burner.DeviceException;
import dev.kiln.burner.DeviceInfo;
import dev.kiln.burner.ImageRejectedException;
import dev.kiln.burner.RecoveryBurner;
import dev.kiln.burner.RecoveryGateway;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.precheck.DeviceProfile;
import dev.kiln.burner.precheck.DeviceProfiles;
import dev.kiln.burner.precheck.Finding;
import dev.kiln.burner.precheck.ImageFacts;
import dev.kiln.burner.precheck.PreValidator;
import dev.kiln.burner.precheck.PrecheckResult;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.burner.progress.ProgressDisplays;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageFormatException;
import dev.kiln.inspector.UpdateComponent;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.SectionFormatException;
import dev.kiln.pipeline.check.CheckedImage;
import dev.kiln.pipeline.cli.json.ImageJson;
import dev.kiln.registers.TransportException;
import dev.kiln.signer.fs4.ImageSignatureVerifier;
import dev.kiln.signer.fs4.ImageSigningException;
import dev.kiln.signer.fs4.TrustStore;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln burn --device DEV IMAGE}: pre-checks the image against the device, refuses before
 * writing anything when the device would reject it, then burns it through the MCC flow of protocol
 * doc §2.6, activates it and re-queries the device.
 *
 * <p>Exit codes: 0 burnt (and the new version is pending or running); 1 refused (by the pre-check
 * or by the device); 2 usage (no confirmation possible); 3 the image cannot be read; 5 device or
 * transport failure.
 */
@Command(
    name = "burn",
    mixinStandardHelpOptions = true,
    description = {
      "Burn a signed image into a secure-FW device through its controlled update path.",
      "The MCC flow: pre-check, lock, update, verify, activate, release, re-query."
    })
public final class BurnCommand implements Callable<Integer> {
  /** Test seam: whether a terminal is attached (System.console() in production). */
  static volatile Console console = System.console();

  @Spec CommandSpec spec;

  @Mixin DeviceOptions device;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "IMAGE",
      description = "The signed FS4 image (or give --bundle).")
  Path imagePath;

  // Release bundles and the burn log (pipeline helper G): additive options, see burnFromBundle.
  @Option(
      names = "--bundle",
      paramLabel = "BUNDLE",
      description = "Burn the image a verified release bundle holds for this device.")
  Path bundle;

  @Option(
      names = "--trust",
      paramLabel = "KEY",
      description = "PEM public key trusted to sign bundle manifests (with --bundle); repeatable.")
  List<Path> bundleTrust = new java.util.ArrayList<>();

  @Option(
      names = "--log",
      paramLabel = "LOG",
      description = "Append a record of this burn to a hash-chained burn log (kiln log verify).")
  Path burnLog;

  @Option(
      names = "--log-key",
      paramLabel = "KEY",
      description =
          "HMAC key (a file, or a pkcs11: secret-key object) that makes the burn log's chain"
              + " unforgeable (with --log).")
  String logKey;

  /** The log record of this attempt and the interrupt handling, set by {@link BurnRun}. */
  BurnAttempt attempt = BurnAttempt.NONE;

  BurnInterruption interruption = BurnInterruption.none();

  @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
  boolean yes;

  @Option(names = "--no-activate", description = "Write and verify, but do not activate.")
  boolean noActivate;

  @Option(names = "--force", description = "Allow the same or an older FW version.")
  boolean force;

  @Option(
      names = "--skip-precheck",
      description =
          "Do not refuse on the device's rules; let the device decide (for testing). Kiln's own"
              + " rules (structure, key lock-out, the forbidden feed) still refuse.")
  boolean skipPrecheck;

  @Option(
      names = "--allow-key-lockout",
      description =
          "DANGEROUS: burn an image after which the device would trust no fw-update key, or no"
              + " longer the key that signed it (KEY_LOCKOUT_*); later updates may be impossible.")
  boolean allowKeyLockout;

  // Forbidden-versions feed with rollback protection: --forbidden FEED --feed-trust KEY ...
  @Mixin ForbiddenFeedOptions feed = new ForbiddenFeedOptions();

  /**
   * The image to burn, already read once and checked ({@link BundleBurnSupport} sets it for a
   * bundle's verified bytes or to hash what it burns); null: {@link #burnImage} reads IMAGE.
   */
  CheckedImage candidate;

  @Option(
      names = "--read-back",
      description =
          "Before burning, read the running image back (MCDA) so the pre-check also checks the"
              + " keys it trusts and the versions it forbids; mstflint never does.")
  boolean readBack;

  @Option(names = "--json", description = "Print one JSON object with the outcome.")
  boolean json;

  @Option(
      names = "--psid",
      paramLabel = "PSID",
      description =
          "Recovery of a device in flash-not-present (livefish) mode: the PSID the image must"
              + " carry, since the device cannot tell its own.")
  String psid;

  @Override
  public Integer call() throws Exception {
    if (bundle == null && imagePath == null) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "give IMAGE, or --bundle BUNDLE --trust KEY");
    }
    feed.validate(spec);
    if (logKey != null && burnLog == null) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--log-key goes with --log");
    }
    return BurnRun.run(
        this,
        () -> bundle != null || !bundleTrust.isEmpty() || burnLog != null
            ? BundleBurnSupport.run(this)
            : burnImage());
  }

  /** The burn of {@link #imagePath}; {@link BundleBurnSupport} wraps it for bundles and logs. */
  Integer burnImage()
      throws IOException, DeviceException, TransportException, SectionFormatException,
          ImageRejectedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // Read once into memory: the bytes checked below are the bytes burnt (no mapping, no re-read).
    CheckedImage checked = candidate != null ? candidate : CheckedImage.read(imagePath);
    Fs4Image image = checked.image();
    ImageFacts facts = checked.facts();
    byte[] component;
    try {
      component = component(image);
    } catch (ImageFormatException e) {
      throw new CommandFailure(ExitCodes.CHECK_FAILED, e.getMessage(), e);
    }
    if (psid != null && !psid.equals(facts.psid())) {
      throw new CommandFailure(
          ExitCodes.CHECK_FAILED,
          String.format(
              "%s: the image's PSID %s is not the requested %s", checked.source(), facts.psid(),
              psid));
    }
    if (!yes && console == null) {
      throw new CommandFailure(
          ExitCodes.USAGE,
          "burn needs confirmation but stdin is not a terminal; pass --yes to burn"
              + " non-interactively");
    }
    List<FwVersion> feedForbidden = feed.forbiddenVersions(facts, FeedCommand.clock.instant());
    ObjectNode result = ImageJson.object();
    result.put("image", checked.source());
    result.put("sha512", checked.sha512Hex());
    result.put("device", device.uri().text());
    try (SecureDevice session = device.open()) {
      if (session.isLivefish()) {
        return recover(session, image, facts, result, out, err);
      }
      DeviceInfo info = session.query();
      DeviceProfile profile = DeviceProfiles.of(session, info, readBack, interruption.readBack());
      interruption.readBackDone();
      PrecheckResult precheck =
          checked.precheck(
              profile, new PreValidator.Options(force, feedForbidden, allowKeyLockout));
      result.put("runningVersionBefore", info.runningVersion().toString());
      result.put("flashVersionBefore", info.flashVersion().toString());
      result.put("newVersion", facts.version().toString());
      result.set("precheck", findingsJson(precheck));
      if (!json) {
        out.println("Current FW version on flash:  " + info.flashVersion());
        out.println("New FW version:               " + facts.version());
        for (Finding finding : precheck.findings()) {
          out.println((finding.isError() ? "refused: " : "warning: ") + finding.message()
              + " [" + finding.code() + "]");
        }
      }
      List<Finding> refusals = checked.refusals(precheck, skipPrecheck, feedForbidden);
      if (!refusals.isEmpty()) {
        // The findings are on stdout (text or JSON); stderr gets their codes only (Refusals).
        String message =
            Refusals.summary(
                device.uri().text(), "refused before writing anything",
                refusals.stream().map(f -> f.code().name()).toList());
        printJsonFailure(out, result, message);
        throw new CommandFailure(ExitCodes.CHECK_FAILED, message);
      }
      if (!yes && !confirm(out)) {
        throw new CommandFailure(ExitCodes.CHECK_FAILED, "burn cancelled by the operator");
      }
      BurnProgress progress = interruption.guard(progressDisplay(err));
      BurnReport report;
      try {
        report =
            session.burn(
                component, new BurnOptions(!noActivate, facts.version()), progress);
      } catch (ImageRejectedException e) {
        printJsonFailure(out, result, e.getMessage());
        // With --json the reason is in the JSON document; stderr names only the outcome.
        String summary =
            json
                ? device.uri().text() + ": the device refused the image"
                    + (e.mccErrorCode().isPresent()
                        ? String.format(" (MCC error 0x%02x)", e.mccErrorCode().getAsInt())
                        : "")
                : e.getMessage();
        throw new CommandFailure(ExitCodes.CHECK_FAILED, summary, e);
      }
      result.put("ok", true);
      result.put("activated", report.activated());
      result.put("runningVersion", report.runningVersion().toString());
      if (report.pendingVersion().isPresent()) {
        result.put("pendingVersion", report.pendingVersion().get().toString());
      } else {
        result.putNull("pendingVersion");
      }
      result.put("bytes", report.componentBytes());
      result.put("seconds", report.totalNanos() / 1e9);
      result.put("mibPerSecond", report.mibPerSecond());
      result.put("registerTransactions", report.transactions());
      if (json) {
        out.println(ImageJson.render(result));
      } else {
        out.println(
            String.format(
                Locale.ROOT,
                "Burned %d bytes in %.2f s (%.1f MiB/s, %d register transactions).",
                report.componentBytes(), report.totalNanos() / 1e9, report.mibPerSecond(),
                report.transactions()));
        if (report.activated()) {
          out.println(
              "Version " + facts.version() + " is pending; to load it run 'kiln device reset"
                  + " --device " + device.uri().text() + "' or reboot the machine.");
        } else {
          out.println("Written and verified, not activated (--no-activate).");
        }
      }
      return ExitCodes.OK;
    }
  }

  /**
   * Livefish: no firmware runs, so nothing on the device checks the image. With {@code --psid}
   * the host checks what it can (the PSID the operator names, a signature that verifies with the
   * image's own public keys, secure FW) and writes the image through the recovery gateway.
   */
  private int recover(
      SecureDevice session,
      Fs4Image image,
      ImageFacts facts,
      ObjectNode result,
      PrintWriter out,
      PrintWriter err)
      throws DeviceException, TransportException {
    String uri = session.uri();
    if (psid == null) {
      throw new DeviceException(
          uri + " is in flash-not-present (livefish) recovery mode: it has no valid firmware and"
              + " cannot be queried; restore it with 'kiln burn --device " + uri
              + " --psid PSID IMAGE'");
    }
    if (!(session.client().transport() instanceof RecoveryGateway gateway)) {
      throw new DeviceException(
          uri + " is in flash-not-present (livefish) recovery mode; restoring it needs the"
              + " direct flash gateway, which kiln drives only for emulated devices");
    }
    if (!facts.secureFw() || facts.signatureKeyUuids().isEmpty()
        || !verifiesWithOwnKeys(image)) {
      throw new CommandFailure(
          ExitCodes.CHECK_FAILED,
          uri + ": refused to restore a livefish device with an image that is not signed secure"
              + " firmware verifying with its own public keys");
    }
    if (!yes && !confirm(out)) {
      throw new CommandFailure(ExitCodes.CHECK_FAILED, "burn cancelled by the operator");
    }
    ByteBuffer bytes = image.bytes();
    byte[] whole = new byte[bytes.remaining()];
    bytes.get(whole);
    RecoveryBurner.restore(gateway, whole, progressDisplay(err));
    result.put("ok", true);
    result.put("recovered", true);
    result.put("runningVersion", facts.version().toString());
    if (json) {
      out.println(ImageJson.render(result));
    } else {
      out.println(uri + ": restored from flash-recovery mode; running " + facts.version());
    }
    return ExitCodes.OK;
  }

  private static boolean verifiesWithOwnKeys(Fs4Image image) {
    try {
      return ImageSignatureVerifier.verify(image, TrustStore.fromImage(image)).passes();
    } catch (ImageSigningException e) {
      return false;
    }
  }

  /** The BOOT_IMG component, the bytes mstflint sends for this image ({@link UpdateComponent}). */
  static byte[] component(Fs4Image image) throws ImageFormatException {
    return UpdateComponent.bytes(image);
  }

  private boolean confirm(PrintWriter out) {
    out.print("Do you want to continue ? (y/n) [n] : ");
    out.flush();
    String answer = console.readLine();
    return answer != null && answer.trim().toLowerCase(Locale.ROOT).startsWith("y");
  }

  /** Progress goes to stderr: a bar as wide as the terminal, or a line per 10 % in a pipe. */
  static BurnProgress progressDisplay(PrintWriter err) {
    return ProgressDisplays.on(err, ProgressDisplays.stderr());
  }

  private void printJsonFailure(PrintWriter out, ObjectNode result, String message) {
    if (json) {
      result.put("ok", false);
      result.put("error", message);
      out.println(ImageJson.render(result));
    }
  }

  static ArrayNode findingsJson(PrecheckResult result) {
    ArrayNode array = ImageJson.array();
    for (Finding finding : result.findings()) {
      ObjectNode node = array.addObject();
      node.put("code", finding.code().name());
      node.put("severity", finding.severity().name());
      node.put("message", finding.message());
    }
    return array;
  }
}
