package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.Sleeper;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.pipeline.bundle.SigningServiceSigner;
import dev.kiln.pipeline.burnlog.BurnLog;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.pipeline.feed.FeedCodec;
import dev.kiln.pipeline.feed.FeedEntry;
import dev.kiln.pipeline.feed.ForbiddenVersionsFeed;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.SigningServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forbidden-versions feed on {@code kiln burn} (issue 11, point 3): a version the feed forbids
 * is refused for an image and for a bundle, {@code --force} and {@code --skip-precheck} do not
 * lift it, and an older valid feed after a newer one is refused as FEED_ROLLBACK with nothing
 * burnt.
 */
class BurnFeedTest {
  @TempDir static Path dir;
  static Path running;
  static Path old;
  static Path bundle;
  static Path trust;
  static Path newerFeed;
  static Path olderFeed;

  @BeforeAll
  static void setUp() throws Exception {
    DeviceOptions.sleeper = millis -> {};
    running = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.40.3000"), "running");
    // An older release, burnt with --force: 22.39.1002 is what the feed forbids.
    old = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.39.1002"), "old");
    trust = SampleKeys.writePublicKey(SampleKey.RSA_2048, dir);
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_2048, dir);
    bundle = dir.resolve("old.kbundle");
    Run created =
        kiln("bundle", "create", "--out", bundle.toString(), old.toString(), "--key",
            "file:" + key, "--allow-sample-keys");
    assertEquals(0, created.exitCode(), created.err());
    try (SigningService signer = SigningServices.open("file:" + key, KeyOptions.defaults())) {
      newerFeed = feed(signer, 2, List.of(FwVersion.parse("22.39.1002")));
      olderFeed = feed(signer, 1, List.of());
    }
  }

  @AfterAll
  static void restore() {
    DeviceOptions.sleeper = Sleeper.REAL;
  }

  static Path feed(SigningService signer, long sequence, List<FwVersion> versions)
      throws Exception {
    Instant issued = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    List<FeedEntry> entries =
        versions.isEmpty()
            ? List.of()
            : List.of(new FeedEntry(SampleFirmware.PSID, null, versions, "CVE-2026-4242"));
    Path file = dir.resolve("feed-" + sequence + ".json");
    Files.write(
        file,
        FeedCodec.sign(
            FeedCodec.toJson(
                new ForbiddenVersionsFeed(issued, issued.plus(30, ChronoUnit.DAYS), sequence,
                    entries)),
            new SigningServiceSigner(signer)));
    return file;
  }

  static String device(String name) throws Exception {
    return "emu:" + BurnTestImages.device(dir.resolve(name), running);
  }

  static void assertStillRuns(String device, String version) throws Exception {
    Run query = kiln("query", "--device", device, "--json", "--no-read-back");
    assertTrue(query.out().contains("\"runningVersion\" : \"" + version + "\""), query.out());
  }

  @Test
  void aForbiddenVersionIsRefusedForAnImageEvenWhenForced() throws Exception {
    String device = device("image");
    Path state = dir.resolve("image-state.json");
    for (List<String> extra :
        List.of(List.<String>of(), List.of("--force"), List.of("--force", "--skip-precheck"))) {
      List<String> args =
          new java.util.ArrayList<>(
              List.of("burn", "--device", device, old.toString(), "--yes", "--forbidden",
                  newerFeed.toString(), "--feed-trust", trust.toString(), "--feed-state",
                  state.toString()));
      args.addAll(extra);
      Run burn = kiln(args.toArray(String[]::new));
      assertEquals(ExitCodes.CHECK_FAILED, burn.exitCode(), extra + burn.err());
      assertTrue(burn.err().contains("forbidden by the forbidden-versions feed"), burn.err());
      assertTrue(burn.err().contains("[FORBIDDEN_VERSION]"), burn.err());
    }
    assertStillRuns(device, "22.40.3000");
    // Without the feed the same forced downgrade goes through: the feed is what refused it.
    Run forced = kiln("burn", "--device", device, old.toString(), "--yes", "--force");
    assertEquals(0, forced.exitCode(), forced.err());
  }

  @Test
  void aForbiddenVersionIsRefusedFromABundleEvenWhenForcedAndLogged() throws Exception {
    String device = device("bundle");
    Path log = dir.resolve("bundle.log");
    Run burn =
        kiln("burn", "--device", device, "--bundle", bundle.toString(), "--trust",
            trust.toString(), "--yes", "--force", "--log", log.toString(), "--forbidden",
            newerFeed.toString(), "--feed-trust", trust.toString(), "--feed-state",
            dir.resolve("bundle-state.json").toString());
    assertEquals(ExitCodes.CHECK_FAILED, burn.exitCode(), burn.err());
    assertTrue(burn.err().contains("[FORBIDDEN_VERSION]"), burn.err());
    assertStillRuns(device, "22.40.3000");
    assertEquals("refused", new BurnLog(log).verify().records().get(0).result());
  }

  @Test
  void anOlderFeedAfterANewerOneIsRefusedAndNothingIsBurnt() throws Exception {
    String device = device("rollback");
    Path state = dir.resolve("rollback-state.json");
    Path good = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.41.1000"), "good");
    Run newer =
        kiln("check", good.toString(), "--device", device, "--forbidden", newerFeed.toString(),
            "--feed-trust", trust.toString(), "--feed-state", state.toString());
    assertEquals(0, newer.exitCode(), newer.out() + newer.err());
    // The replayed old feed (sequence 1, empty) would un-forbid 22.39.1002.
    Run replay =
        kiln("burn", "--device", device, old.toString(), "--yes", "--force", "--forbidden",
            olderFeed.toString(), "--feed-trust", trust.toString(), "--feed-state",
            state.toString());
    assertEquals(ExitCodes.CHECK_FAILED, replay.exitCode(), replay.err());
    assertTrue(replay.err().contains("[FEED_ROLLBACK]"), replay.err());
    assertTrue(replay.err().contains("nothing was burnt"), replay.err());
    assertStillRuns(device, "22.40.3000");
  }

  @Test
  void theFeedOptionsAreUsageErrorsWithoutTheirPartner() throws Exception {
    Run noTrust =
        kiln("burn", "--device", device("usage"), old.toString(), "--yes", "--forbidden",
            newerFeed.toString());
    assertEquals(ExitCodes.USAGE, noTrust.exitCode(), noTrust.err());
    Run noFeed =
        kiln("burn", "--device", device("usage2"), old.toString(), "--yes", "--feed-trust",
            trust.toString());
    assertEquals(ExitCodes.USAGE, noFeed.exitCode(), noFeed.err());
  }
}
