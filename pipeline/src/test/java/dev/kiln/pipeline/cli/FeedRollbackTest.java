package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.bundle.SignatureAlgorithms;
import dev.kiln.pipeline.bundle.SigningServiceSigner;
import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.pipeline.feed.FeedCodec;
import dev.kiln.pipeline.feed.FeedEntry;
import dev.kiln.pipeline.feed.FeedState;
import dev.kiln.pipeline.feed.ForbiddenVersionsFeed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollback protection of the forbidden-versions feed ({@link ForbiddenFeedOptions}, {@link
 * FeedState}): an older but validly signed feed is refused with FEED_ROLLBACK once a newer one was
 * seen for the same signing key, or when it is below {@code --min-feed-sequence}.
 */
class FeedRollbackTest {
  @TempDir static Path dir;
  static Fixtures fixtures;
  static Path profile;
  static Path image;

  @BeforeAll
  static void setUp() throws Exception {
    fixtures = new Fixtures(dir);
    profile = fixtures.profile(fixtures.device("dev"), "lab");
    image = fixtures.signed(SampleFirmware.Spec.secure("22.41.1000"), "next");
  }

  @AfterAll
  static void tearDown() {
    fixtures.close();
  }

  /** A feed with {@code sequence}; sequence 2 forbids the image's version, sequence 1 nothing. */
  static Path feed(long sequence) throws Exception {
    Instant issued = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    List<FeedEntry> entries =
        sequence >= 2
            ? List.of(
                new FeedEntry(
                    SampleFirmware.PSID, null, List.of(FwVersion.parse("22.41.1000")),
                    "CVE-2026-0002"))
            : List.of();
    ForbiddenVersionsFeed feed =
        new ForbiddenVersionsFeed(issued, issued.plus(90, ChronoUnit.DAYS), sequence, entries);
    Path file = dir.resolve("feed-" + sequence + ".json");
    Files.write(
        file, FeedCodec.sign(FeedCodec.toJson(feed), new SigningServiceSigner(fixtures.key)));
    return file;
  }

  static Fixtures.Result check(Path feed, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of("check", image.toString(), "--target", profile.toString(), "--json",
                "--forbidden", feed.toString(), "--feed-trust", fixtures.publicKey.toString()));
    args.addAll(List.of(extra));
    return Fixtures.kiln(args.toArray(String[]::new));
  }

  static List<String> codes(Fixtures.Result result) throws Exception {
    JsonNode node = new ObjectMapper().readTree(result.out());
    List<String> codes = new ArrayList<>();
    node.get("findings").forEach(f -> codes.add(f.get("code").asText()));
    return codes;
  }

  @Test
  void anOlderFeedIsRefusedAfterANewerOne() throws Exception {
    Path state = dir.resolve("rollback/state.json");
    Fixtures.Result newer = check(feed(2), "--feed-state", state.toString());
    assertEquals(1, newer.exitCode(), newer.out() + newer.err());
    assertEquals(List.of("FORBIDDEN_VERSION"), codes(newer));
    String fingerprint = SignatureAlgorithms.fingerprint(fixtures.key.publicKey());
    assertEquals(Map.of(fingerprint, 2L), new FeedState(state).read());

    Fixtures.Result older = check(feed(1), "--feed-state", state.toString());
    assertEquals(1, older.exitCode(), older.out() + older.err());
    assertEquals(List.of("FEED_ROLLBACK"), codes(older));
    assertTrue(older.out().contains("older than sequence 2"), older.out());
    assertEquals(Map.of(fingerprint, 2L), new FeedState(state).read());

    // The same sequence again is not a rollback.
    Fixtures.Result again = check(feed(2), "--feed-state", state.toString());
    assertEquals(List.of("FORBIDDEN_VERSION"), codes(again));
  }

  @Test
  void withoutStateTheMinimumSequenceProtects() throws Exception {
    Fixtures.Result refused = check(feed(1), "--no-feed-state", "--min-feed-sequence", "2");
    assertEquals(1, refused.exitCode(), refused.out() + refused.err());
    assertEquals(List.of("FEED_ROLLBACK"), codes(refused));
    Fixtures.Result accepted = check(feed(1), "--no-feed-state", "--min-feed-sequence", "1");
    assertEquals(0, accepted.exitCode(), accepted.out() + accepted.err());
  }

  @Test
  void aFirstFeedIsRememberedAndTheStateIsWrittenAtomically() throws Exception {
    Path state = dir.resolve("first/state.json");
    Fixtures.Result result = check(feed(1), "--feed-state", state.toString());
    assertEquals(0, result.exitCode(), result.out() + result.err());
    String text = Files.readString(state, StandardCharsets.UTF_8);
    assertTrue(text.contains(FeedState.FORMAT), text);
    try (var files = Files.list(state.getParent())) {
      // Only the state and its lock file: no temporary file is left behind.
      assertEquals(
          List.of("state.json", "state.json.lock"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void aCorruptStateFileIsAnErrorNotAReset() throws Exception {
    Path state = dir.resolve("corrupt.json");
    Files.writeString(state, "{\"format\": \"something else\"}");
    Fixtures.Result result = check(feed(1), "--feed-state", state.toString());
    assertEquals(3, result.exitCode(), result.out() + result.err());
    assertEquals(1, result.err().strip().lines().count(), result.err());
    assertTrue(result.err().startsWith("kiln: feed state " + state.toAbsolutePath()),
        result.err());
    assertEquals("{\"format\": \"something else\"}", Files.readString(state));
  }

  @Test
  void stateOptionsNeedAFeed() {
    Fixtures.Result result =
        Fixtures.kiln("check", image.toString(), "--target", profile.toString(),
            "--min-feed-sequence", "3");
    assertEquals(2, result.exitCode(), result.err());
    Fixtures.Result both =
        check(dir.resolve("feed-1.json"), "--no-feed-state", "--feed-state", "x.json");
    assertEquals(2, both.exitCode(), both.err());
  }

  @Test
  void defaultStateFollowsXdgThenHome() {
    assertEquals(
        Path.of("/var/lib/me/kiln/feed-state.json"),
        ForbiddenFeedOptions.defaultStateFile(
            Map.of("XDG_STATE_HOME", "/var/lib/me", "HOME", "/home/me")));
    assertEquals(
        Path.of("/home/me/.local/state/kiln/feed-state.json"),
        ForbiddenFeedOptions.defaultStateFile(Map.of("HOME", "/home/me")));
    // A relative XDG_STATE_HOME is ignored, as the XDG Base Directory specification says.
    assertEquals(
        Path.of("/home/me/.local/state/kiln/feed-state.json"),
        ForbiddenFeedOptions.defaultStateFile(
            Map.of("XDG_STATE_HOME", "relative", "HOME", "/home/me")));
    assertFalse(ForbiddenFeedOptions.defaultStateFile(Map.of("HOME", "/h")).toString()
        .contains("test-state"));
  }

  @Test
  void concurrentUpdatesKeepTheNewestSequence() throws Exception {
    Path state = dir.resolve("concurrent/state.json");
    String fingerprint = SignatureAlgorithms.fingerprint(fixtures.key.publicKey());
    ForbiddenVersionsFeed template =
        FeedCodec.verify(Files.readAllBytes(feed(1)),
            dev.kiln.pipeline.bundle.TrustedKeys.load(List.of(fixtures.publicKey)),
            Instant.now());
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 1; i <= 16; i++) {
      long sequence = i;
      Thread thread =
          new Thread(
              () -> {
                try {
                  new FeedState(state)
                      .checkAndRemember(
                          new FeedCodec.VerifiedFeed(
                              new ForbiddenVersionsFeed(template.issued(), template.expires(),
                                  sequence, List.of()),
                              fingerprint),
                          0, Instant.now());
                } catch (dev.kiln.pipeline.feed.FeedException e) {
                  // A lower sequence after a higher one: the expected refusal.
                  if (!e.code().equals(FeedCodec.ROLLBACK)) {
                    failures.add(e);
                  }
                } catch (Throwable e) {
                  failures.add(e);
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join(30_000);
    }
    assertEquals(List.of(), failures);
    assertEquals(Map.of(fingerprint, 16L), new FeedState(state).read());
  }
}
