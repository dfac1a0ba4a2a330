package dev.kiln.pipeline.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.burner.DeviceUri;
import dev.kiln.pipeline.bundle.BundleBurn;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.bundle.VerifiedBundle;
import dev.kiln.pipeline.cli.json.ImageJson;
import dev.kiln.pipeline.feed.FeedException;
import dev.kiln.pipeline.feed.ForbiddenVersionsFeed;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.signer.KeyAccessException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kiln update [--device DEV]... --bundle B --trust K [--forbidden FEED --feed-trust KEY]
 * [--yes] [--dry-run] [--json]}: brings devices to the image a verified bundle holds for them. The
 * devices named (any device URI), or with none named every adapter of the host ({@code kiln
 * devices}) whose PSID the bundle serves; each is handled by {@link DeviceUpdate}.
 *
 * <p>Output (the rule of {@link Refusals}): one line per device on stdout with its findings
 * under it (or one JSON object with a {@code devices} array); when some device was not brought up
 * to date, one {@code kiln:} line on stderr naming those devices and their codes. Exit code: the
 * worst of the devices' (0 up to date, burned, would burn or skipped; 1 refused; 3 an image of
 * the bundle cannot be read; 5 a device failed; 130 a signal interrupted a burn); 5 when there is
 * no device at all.
 */
@Command(
    name = "update",
    mixinStandardHelpOptions = true,
    description = {
      "Update devices to the image a verified release bundle holds for them.",
      "The devices named with --device, or every adapter of the host whose PSID the bundle"
          + " serves. A device that already has the image is up to date (exit 0); a newer"
          + " image is pre-checked and burned; --dry-run checks without burning."
    })
public final class UpdateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-d", "--device"},
      paramLabel = "DEV",
      converter = DeviceOptions.DeviceUriConverter.class,
      description =
          "A device to update (any device URI or mstflint-style name); repeatable. Default:"
              + " every adapter of the host that the bundle serves.")
  List<DeviceUri> named = new ArrayList<>();

  @Option(
      names = "--bundle",
      required = true,
      paramLabel = "BUNDLE",
      description = "The release bundle ('kiln bundle create').")
  Path bundle;

  @Option(
      names = "--trust",
      required = true,
      paramLabel = "KEY",
      description = "PEM public key trusted to sign bundle manifests; repeatable.")
  List<Path> trust = new ArrayList<>();

  @Mixin ForbiddenFeedOptions feedOptions = new ForbiddenFeedOptions();

  @Option(
      names = "--log",
      paramLabel = "LOG",
      description =
          "Append a record of each device's burn attempt (burned, refused, failed, interrupted) to"
              + " a hash-chained burn log (kiln log verify).")
  Path burnLog;

  @Option(
      names = "--log-key",
      paramLabel = "KEY",
      description =
          "HMAC key (a file, or a pkcs11: secret-key object) that makes the burn log's chain"
              + " unforgeable (with --log).")
  String logKey;

  @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
  boolean yes;

  @Option(
      names = "--dry-run",
      description = "Run every check, burn nothing (no update handle is taken).")
  boolean dryRun;

  @Option(
      names = "--read-back",
      description =
          "Read each device's running image back before the pre-check (its trusted keys and"
              + " forbidden versions), as kiln burn --read-back; not with --dry-run.")
  boolean readBack;

  @Option(names = "--json", description = "Print one JSON object with one member per device.")
  boolean json;

  @Override
  public Integer call() throws IOException, KeyAccessException {
    feedOptions.validate(spec);
    if (logKey != null && burnLog == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--log-key goes with --log");
    }
    if (dryRun && readBack) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--read-back takes the update handle; a dry run takes none: give one of them");
    }
    if (!yes && !dryRun && BurnCommand.console == null) {
      throw new CommandFailure(
          ExitCodes.USAGE,
          "update needs confirmation but stdin is not a terminal; pass --yes to burn"
              + " non-interactively, or --dry-run to check only");
    }
    SignCommand.requireReadable(bundle);
    VerifiedBundle verified;
    try {
      verified = VerifiedBundle.open(bundle, TrustedKeys.load(trust));
    } catch (BundleBurn.RefusedException e) {
      throw new CommandFailure(ExitCodes.CHECK_FAILED, e.getMessage());
    }
    Optional<ForbiddenVersionsFeed> feed = Optional.empty();
    Optional<CheckFinding> feedProblem = Optional.empty();
    try {
      feed = feedOptions.load(FeedCommand.clock.instant());
    } catch (FeedException e) {
      feedProblem =
          Optional.of(CheckFinding.error(e.code(), feedOptions.feedFile() + ": " + e.getMessage()));
    }
    List<HostDevices.Entry> devices = HostDevices.namedOrHost(named);
    if (devices.isEmpty()) {
      throw new CommandFailure(
          ExitCodes.DEVICE,
          "no adapter to update: no PCI function with the Mellanox vendor id (0x15b3) on this"
              + " host; name devices with --device");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DeviceUpdate.Settings settings =
        new DeviceUpdate.Settings(
            // With --json the prompt goes to stderr: stdout stays one JSON document.
            verified, feed, feedProblem, dryRun, readBack,
            question -> yes || confirm(json ? err : out, question),
            () -> BurnCommand.progressDisplay(err));
    List<UpdateOutcome> outcomes = new ArrayList<>();
    for (HostDevices.Entry device : devices) {
      String uri = device.uri().text();
      try (BurnAttempt attempt = BurnAttempt.start(burnLog, logKey, uri, err)) {
        BurnInterruption interruption;
        try {
          interruption = BurnInterruption.install(err, attempt, uri);
        } catch (IllegalStateException shuttingDown) {
          // The signal came between two devices: the JVM is already stopping.
          return BurnRun.INTERRUPTED;
        }
        try (interruption) {
          UpdateOutcome outcome =
              DeviceUpdate.run(settings, device, !named.isEmpty(), attempt, interruption);
          outcomes.add(outcome);
          if (!json) {
            printText(out, outcome);
          }
          if (outcome.action() == UpdateOutcome.Action.INTERRUPTED) {
            // Report before the hook lets the JVM end (closing the interruption); no more devices.
            return finish(outcomes, out, err);
          }
        }
      }
    }
    return finish(outcomes, out, err);
  }

  /** The JSON document (with --json) and the one stderr line; the worst exit code. */
  private int finish(List<UpdateOutcome> outcomes, PrintWriter out, PrintWriter err) {
    int exitCode = outcomes.stream().mapToInt(UpdateOutcome::exitCode).max().orElse(0);
    if (json) {
      ObjectNode root = ImageJson.object();
      root.put("bundle", bundle.toString());
      root.put("dryRun", dryRun);
      ArrayNode array = root.putArray("devices");
      outcomes.forEach(outcome -> array.add(outcome.toJson()));
      root.put("exitCode", exitCode);
      out.println(ImageJson.render(root));
    }
    out.flush();
    List<String> notUpdated = new ArrayList<>();
    for (UpdateOutcome outcome : outcomes) {
      if (outcome.exitCode() != ExitCodes.OK) {
        notUpdated.add(
            Refusals.summary(
                outcome.device(), outcome.action().text(),
                outcome.findings().stream().filter(CheckFinding::isError)
                    .map(CheckFinding::code).toList()));
      }
    }
    if (!notUpdated.isEmpty()) {
      err.println(
          String.format(
              Locale.ROOT, "kiln: %d of %d device%s not updated: %s", notUpdated.size(),
              outcomes.size(), outcomes.size() == 1 ? "" : "s", String.join("; ", notUpdated)));
    }
    err.flush();
    return exitCode;
  }

  private static void printText(PrintWriter out, UpdateOutcome outcome) {
    out.println(outcome.message());
    for (CheckFinding finding : outcome.findings()) {
      out.println("  " + (finding.isError() ? "error: " : "warning: ") + finding.message()
          + " [" + finding.code() + "]");
    }
    out.flush();
  }

  private static boolean confirm(PrintWriter out, String question) {
    out.print(question + " (y/n) [n] : ");
    out.flush();
    String answer = BurnCommand.console.readLine();
    return answer != null && answer.trim().toLowerCase(Locale.ROOT).startsWith("y");
  }
}
