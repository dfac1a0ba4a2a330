package dev.kiln.pipeline.cli;

import dev.kiln.burner.precheck.ImageFacts;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.feed.FeedCodec;
import dev.kiln.pipeline.feed.FeedException;
import dev.kiln.pipeline.feed.FeedState;
import dev.kiln.pipeline.feed.ForbiddenVersionsFeed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The forbidden-versions feed options every command that judges an image for a device shares
 * ({@code kiln check}, {@code kiln burn}, and commands built on them): {@code --forbidden FEED
 * --feed-trust KEY...}, with rollback protection ({@code --feed-state FILE}, {@code
 * --no-feed-state}, {@code --min-feed-sequence N}).
 *
 * <p>A feed is used only when it verifies ({@link FeedCodec#verifySigned}: signature by a trusted
 * key, issue and expiry times) and is not older than the newest feed seen for its signing key
 * ({@link FeedState}, by default {@code $XDG_STATE_HOME/kiln/feed-state.json}, else {@code
 * ~/.local/state/kiln/feed-state.json}) nor than {@code --min-feed-sequence}. A newer sequence is
 * remembered as soon as the feed is accepted, whatever the command does next.
 */
public final class ForbiddenFeedOptions {
  @Option(
      names = "--forbidden",
      paramLabel = "FEED",
      description = "Signed forbidden-versions feed; its versions are refused like the device's.")
  Path feed;

  @Option(
      names = "--feed-trust",
      paramLabel = "KEY",
      description = "PEM public key trusted to sign the feed; repeatable.")
  List<Path> feedTrust = new ArrayList<>();

  @Option(
      names = "--feed-state",
      paramLabel = "FILE",
      description =
          "Where the newest feed sequence per signing key is remembered (default"
              + " $XDG_STATE_HOME/kiln/feed-state.json or ~/.local/state/kiln/feed-state.json).")
  Path stateFile;

  @Option(
      names = "--no-feed-state",
      description = "Do not read or remember feed sequences (only --min-feed-sequence protects).")
  boolean noState;

  @Option(
      names = "--min-feed-sequence",
      paramLabel = "N",
      description = "Refuse a feed whose sequence is below N (FEED_ROLLBACK).")
  long minimumSequence;

  /** Test seam: the environment the default state location is taken from. */
  static volatile Map<String, String> environment = System.getenv();

  /** Whether a feed was given. */
  public boolean given() {
    return feed != null;
  }

  /** The feed file given, or null. */
  public Path feedFile() {
    return feed;
  }

  /** Usage errors (exit 2): a feed without trust, trust or state options without a feed. */
  public void validate(CommandSpec spec) {
    CommandLine commandLine = spec.commandLine();
    if (feed != null && feedTrust.isEmpty()) {
      throw new CommandLine.ParameterException(
          commandLine, "--forbidden needs --feed-trust KEY (a feed is only used signed)");
    }
    if (feed == null && (!feedTrust.isEmpty() || stateFile != null || noState
        || minimumSequence != 0)) {
      throw new CommandLine.ParameterException(
          commandLine,
          "--feed-trust, --feed-state, --no-feed-state and --min-feed-sequence go with"
              + " --forbidden FEED");
    }
    if (noState && stateFile != null) {
      throw new CommandLine.ParameterException(
          commandLine, "give --feed-state FILE or --no-feed-state, not both");
    }
    if (minimumSequence < 0) {
      throw new CommandLine.ParameterException(
          commandLine, "--min-feed-sequence must not be negative");
    }
  }

  /**
   * Verifies the feed and applies rollback protection.
   *
   * @return the feed to use, or empty when none was given
   * @throws FeedException (stable code) when the feed must not be used: the caller refuses
   * @throws CommandFailure exit 3 when the feed, a trust file or the state file cannot be read or
   *     the state cannot be written
   */
  public Optional<ForbiddenVersionsFeed> load(Instant now) throws FeedException {
    if (feed == null) {
      return Optional.empty();
    }
    SignCommand.requireReadable(feed);
    FeedCodec.VerifiedFeed verified;
    try {
      verified =
          FeedCodec.verifySigned(FeedCodec.readFile(feed), TrustedKeys.load(feedTrust), now);
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.UNREADABLE_INPUT, e.getMessage(), e);
    }
    if (noState) {
      FeedState.checkMinimum(verified, minimumSequence);
      return Optional.of(verified.feed());
    }
    FeedState state = new FeedState(stateFile());
    try {
      state.checkAndRemember(verified, minimumSequence, now);
    } catch (IOException e) {
      throw new CommandFailure(
          ExitCodes.UNREADABLE_INPUT,
          "feed state " + state.file() + ": " + e.getMessage()
              + " (give --feed-state FILE, or --no-feed-state with --min-feed-sequence N)",
          e);
    }
    return Optional.of(verified.feed());
  }

  /**
   * For a burn: the image's version when the verified feed forbids it for the image's PSID and HW
   * ids, else empty (also when no feed was given). A feed that must not be used refuses the burn
   * before any device is touched.
   *
   * @throws CommandFailure exit 1 ({@code … nothing was burnt [FEED_…]}) for a feed that must not
   *     be used, exit 3 when it or the state cannot be read
   */
  public List<FwVersion> forbiddenVersions(ImageFacts facts, Instant now) {
    Optional<ForbiddenVersionsFeed> verified;
    try {
      verified = load(now);
    } catch (FeedException e) {
      throw new CommandFailure(
          ExitCodes.CHECK_FAILED,
          feed + ": " + e.getMessage() + "; nothing was burnt [" + e.code() + "]");
    }
    boolean forbidden =
        verified.isPresent()
            && !verified.get()
                .matching(facts.psid(), facts.supportedHwIds(), facts.version())
                .isEmpty();
    return forbidden ? List.of(facts.version()) : List.of();
  }

  /** The state file: {@code --feed-state}, else the documented default location. */
  Path stateFile() {
    return stateFile != null ? stateFile : defaultStateFile(environment);
  }

  /**
   * {@code $XDG_STATE_HOME/kiln/feed-state.json} when XDG_STATE_HOME is an absolute path (the XDG
   * Base Directory rule: relative values are ignored), else {@code
   * $HOME/.local/state/kiln/feed-state.json}.
   */
  static Path defaultStateFile(Map<String, String> env) {
    String xdg = env.get("XDG_STATE_HOME");
    Path base;
    if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
      base = Path.of(xdg);
    } else {
      String home = env.getOrDefault("HOME", System.getProperty("user.home"));
      base = Path.of(home, ".local", "state");
    }
    return base.resolve("kiln").resolve("feed-state.json");
  }
}
