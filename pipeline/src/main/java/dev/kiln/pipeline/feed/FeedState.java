package dev.kiln.pipeline.feed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.pipeline.json.StrictJson;
import dev.kiln.inspector.io.AtomicFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rollback protection for forbidden-versions feeds: the newest feed sequence seen for each feed
 * signing key, kept in a small file, so that an older feed (still validly signed and unexpired,
 * but from before a version was forbidden) is refused with {@link FeedCodec#ROLLBACK}.
 *
 * <p>File format (JSON, written atomically by {@link AtomicFiles}):
 *
 * <pre>
 * {"format": "kiln-feed-state-v1",
 *  "keys": {"&lt;signing key fingerprint, 64 hex&gt;": {"sequence": 7,
 *                                                   "seen": "2026-12-04T03:00:00Z"}}}
 * </pre>
 *
 * <p>Read-compare-write runs under an exclusive lock on {@code FILE.lock} (and, within one JVM, a
 * monitor per file), so two commands that see different feeds at once end with the larger
 * sequence. A state file that cannot be
 * parsed is an error, never silently treated as empty: an attacker who can corrupt it must not
 * thereby reset the protection.
 */
public final class FeedState {
  /** The value of {@code format}. */
  public static final String FORMAT = "kiln-feed-state-v1";

  /** A state file larger than this is not one Kiln wrote (a few hundred bytes per key). */
  static final long MAX_BYTES = 1L << 20;

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private static final Map<Path, Object> IN_PROCESS = new ConcurrentHashMap<>();

  private final Path file;

  public FeedState(Path file) {
    this.file = file.toAbsolutePath();
  }

  public Path file() {
    return file;
  }

  /**
   * Checks {@code feed} against the newest sequence seen for its signing key and against {@code
   * minimumSequence}, then remembers its sequence when it is newer.
   *
   * @param minimumSequence the lowest acceptable sequence from the command line, or 0
   * @throws FeedException with {@link FeedCodec#ROLLBACK} when the feed is older; nothing is
   *     written then
   * @throws IOException when the state file cannot be read, parsed or written
   */
  public void checkAndRemember(FeedCodec.VerifiedFeed feed, long minimumSequence, Instant now)
      throws FeedException, IOException {
    checkMinimum(feed, minimumSequence);
    long sequence = feed.feed().sequence();
    Files.createDirectories(file.getParent());
    Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
    // A file lock is held per process: threads of one JVM (in-process runs, parallel updates) are
    // serialised by a monitor per state file first, other processes by the file lock.
    synchronized (IN_PROCESS.computeIfAbsent(file, path -> new Object())) {
      checkAndRememberLocked(feed, sequence, now, lockFile);
    }
  }

  private void checkAndRememberLocked(
      FeedCodec.VerifiedFeed feed, long sequence, Instant now, Path lockFile)
      throws FeedException, IOException {
    try (FileChannel channel =
        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock = channel.lock();
      try {
        ObjectNode root = readRoot();
        Long newest = sequences(root).get(feed.keyFingerprint());
        if (newest != null && sequence < newest) {
          throw new FeedException(
              FeedCodec.ROLLBACK,
              "the feed has sequence " + sequence + ", older than sequence " + newest
                  + " already seen for its signing key (" + file + "): an old feed may not list"
                  + " newly forbidden versions");
        }
        if (newest == null || sequence > newest) {
          ObjectNode entry = ((ObjectNode) root.get("keys")).putObject(feed.keyFingerprint());
          entry.put("sequence", sequence);
          entry.put("seen", now.toString());
          AtomicFiles.write(file, MAPPER.writeValueAsBytes(root));
        }
      } finally {
        lock.release();
      }
    }
  }

  /**
   * Refuses a feed below an explicit minimum sequence ({@code --min-feed-sequence}), without any
   * state file.
   *
   * @throws FeedException with {@link FeedCodec#ROLLBACK}
   */
  public static void checkMinimum(FeedCodec.VerifiedFeed feed, long minimumSequence)
      throws FeedException {
    long sequence = feed.feed().sequence();
    if (sequence < minimumSequence) {
      throw new FeedException(
          FeedCodec.ROLLBACK,
          "the feed has sequence " + sequence + ", below the required minimum " + minimumSequence
              + " (--min-feed-sequence): an old feed may not list newly forbidden versions");
    }
  }

  /** The newest sequence seen per signing-key fingerprint (empty when there is no file yet). */
  public Map<String, Long> read() throws IOException {
    return sequences(readRoot());
  }

  /** The parsed state file, or a new empty state when there is none. */
  private ObjectNode readRoot() throws IOException {
    JsonNode root;
    try {
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new NoSuchFileException(file.toString());
      }
      root = StrictJson.read(file, MAX_BYTES, "a feed-state file");
    } catch (NoSuchFileException e) {
      ObjectNode empty = MAPPER.createObjectNode();
      empty.put("format", FORMAT);
      empty.putObject("keys");
      return empty;
    } catch (StrictJson.InvalidJsonException e) {
      throw new IOException("not a Kiln feed-state file: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText(null))
        || !root.path("keys").isObject()) {
      throw new IOException(file + ": not a Kiln feed-state file (format " + FORMAT + ")");
    }
    sequences(root);
    return (ObjectNode) root;
  }

  private Map<String, Long> sequences(JsonNode root) throws IOException {
    Map<String, Long> seen = new TreeMap<>();
    for (Map.Entry<String, JsonNode> key : root.get("keys").properties()) {
      JsonNode sequence = key.getValue().get("sequence");
      if (sequence == null || !sequence.isIntegralNumber() || !sequence.canConvertToLong()) {
        throw new IOException(file + ": key " + key.getKey() + " has no integer sequence");
      }
      seen.put(key.getKey(), sequence.asLong());
    }
    return seen;
  }
}
