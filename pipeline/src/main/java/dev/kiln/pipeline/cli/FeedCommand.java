package dev.kiln.pipeline.cli;

import dev.kiln.inspector.io.AtomicFiles;
import dev.kiln.pipeline.bundle.SigningServiceSigner;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.feed.FeedCodec;
import dev.kiln.pipeline.feed.FeedEntry;
import dev.kiln.pipeline.feed.FeedException;
import dev.kiln.pipeline.feed.ForbiddenVersionsFeed;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.SigningService;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln feed sign|verify|inspect}: the signed forbidden-versions feed (docs/pipeline.md
 * "Forbidden-versions feed").
 */
@Command(
    name = "feed",
    mixinStandardHelpOptions = true,
    description = "Sign, verify and inspect forbidden-versions feeds.",
    subcommands = {FeedCommand.Sign.class, FeedCommand.Verify.class, FeedCommand.Inspect.class})
public final class FeedCommand implements Runnable {
  /** Test seam: the clock feeds are judged against. */
  static volatile Clock clock = Clock.systemUTC();

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing subcommand: sign, verify or inspect");
  }

  /** Verifies a feed file for the commands that consume one; FEED_* problems are exit 1. */
  static ForbiddenVersionsFeed load(Path feed, List<Path> trust) throws IOException {
    SignCommand.requireReadable(feed);
    try {
      return FeedCodec.verify(FeedCodec.readFile(feed), TrustedKeys.load(trust), clock.instant());
    } catch (FeedException e) {
      throw new CommandFailure(
          ExitCodes.CHECK_FAILED, feed + ": " + e.getMessage() + " [" + e.code() + "]");
    }
  }

  /** {@code kiln feed sign}. */
  @Command(
      name = "sign",
      mixinStandardHelpOptions = true,
      description = "Sign a feed body (or re-sign a feed) with a key reference.")
  static final class Sign implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FEED", description = "Unsigned feed JSON.")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Signed feed.")
    Path out;

    @Mixin SigningKeyOptions keyOptions;

    @Override
    public Integer call() throws IOException, KeyAccessException {
      SignCommand.requireReadable(input);
      byte[] signed;
      try (SigningService service = keyOptions.open(spec)) {
        try {
          signed =
              FeedCodec.sign(
                  FeedCodec.unsignedBody(FeedCodec.readFile(input)),
                  new SigningServiceSigner(service));
        } catch (FeedException e) {
          throw new CommandFailure(
              ExitCodes.CHECK_FAILED, input + ": " + e.getMessage() + " [" + e.code() + "]");
        } catch (GeneralSecurityException e) {
          throw new KeyAccessException(
              service.describe() + ": cannot sign the feed: " + e.getMessage(), e);
        }
        AtomicFiles.write(out, signed);
        spec.commandLine().getOut().printf("wrote %s (signed with %s)%n", out, service.describe());
      }
      return ExitCodes.OK;
    }
  }

  /** {@code kiln feed verify}. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = "Check a feed's signature by a trusted key and its validity period.")
  static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FEED") Path feed;

    @Option(
        names = "--trust",
        required = true,
        paramLabel = "KEY",
        description = "PEM public key trusted to sign feeds; repeatable.")
    List<Path> trust;

    @Override
    public Integer call() throws IOException {
      ForbiddenVersionsFeed verified = load(feed, trust);
      spec.commandLine().getOut().printf(
          "%s: valid feed #%d, %d entr%s, expires %s%n", feed, verified.sequence(),
          verified.entries().size(), verified.entries().size() == 1 ? "y" : "ies",
          verified.expires());
      return ExitCodes.OK;
    }
  }

  /** {@code kiln feed inspect}. */
  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      description = "List a feed's entries (verified when --trust is given).")
  static final class Inspect implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FEED") Path feed;

    @Option(names = "--trust", paramLabel = "KEY", description = "Verify with these keys too.")
    List<Path> trust = List.of();

    @Override
    public Integer call() throws IOException {
      ForbiddenVersionsFeed content;
      String status;
      if (trust.isEmpty()) {
        SignCommand.requireReadable(feed);
        try {
          content =
              FeedCodec.unsignedBodyFeed(FeedCodec.readFile(feed));
        } catch (FeedException e) {
          throw new CommandFailure(
              ExitCodes.UNREADABLE_INPUT, feed + ": " + e.getMessage() + " [" + e.code() + "]");
        }
        status = "NOT verified (no --trust given)";
      } else {
        content = load(feed, trust);
        status = "verified";
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf("Feed:     %s (%s)%n", feed, status);
      out.printf("Sequence: %d%n", content.sequence());
      out.printf("Issued:   %s%n", content.issued());
      out.printf("Expires:  %s%n", content.expires());
      for (FeedEntry entry : content.entries()) {
        out.printf("  %-16s %-8s %-30s %s%n",
            entry.psid() == null ? "(any PSID)" : entry.psid(),
            entry.hwDeviceId() == null ? "(any)" : "0x" + Integer.toHexString(entry.hwDeviceId()),
            entry.versions().stream().map(Object::toString).collect(Collectors.joining(", ")),
            entry.reason());
      }
      return ExitCodes.OK;
    }
  }
}
