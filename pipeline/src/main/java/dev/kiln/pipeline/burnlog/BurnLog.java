package dev.kiln.pipeline.burnlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.io.BoundedFiles;
import dev.kiln.pipeline.feed.CanonicalJson;
import dev.kiln.pipeline.json.StrictJson;
import dev.kiln.inspector.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The operators' burn log: an append-only, hash-chained JSON-lines file, one {@link BurnRecord}
 * per line.
 *
 * <p>Each line is the {@link CanonicalJson canonical} JSON object
 *
 * <pre>
 * {"after":"22.41.1000","before":"22.39.1002","bundleSha512":"..."|null,"detail":"",
 *  "device":"emu:/tmp/dev","deviceSerial":"e41d2d000001","hash":"&lt;64 hex&gt;","host":"build7",
 *  "imageSha512":"...","prev":"&lt;64 hex&gt;","psid":"MT_0000000528","result":"ok","seq":1,
 *  "time":"2026-11-25T07:00:00Z"}
 * </pre>
 *
 * <ul>
 *   <li>{@code seq} counts from 1, one more on every line;
 *   <li>{@code prev} is the previous line's {@code hash} (64 zeros on the first line);
 *   <li>{@code hash} is the lower-case hex SHA-256 of the canonical JSON of the same object
 *       without its {@code hash} member; in a keyed log ({@link LogKey}) it is the HMAC-SHA256 of
 *       the same bytes, and the line also carries {@code "keyId"}.
 * </ul>
 *
 * <p>Editing a line breaks its own hash; removing or inserting a line breaks {@code seq} and the
 * next line's {@code prev}. Removing the last lines leaves a valid shorter chain, so every append
 * also writes {@code LOG.head} (the last {@code seq} and {@code hash}, plus in a keyed log an
 * HMAC of both) beside the log; {@link #verify} compares the log's end with it, and a missing head
 * fails unless explicitly allowed. Unkeyed, whoever can write both files can rewrite them
 * consistently; keyed, nobody without the key can.
 *
 * <p>A line cut by a crash in the middle of an append (no JSON object) is not fatal: the next
 * append ends it with a line break and writes a <em>recovery</em> line first, chained to the last
 * whole record, naming the torn line's number, length and SHA-256 ({@code "kind":"recovery"},
 * {@code "recovery":{"line":N,"bytes":B,"sha256":"..."}}); then the new record. {@link #verify}
 * accepts a torn line only where such a recovery line follows it and names it exactly.
 */
public final class BurnLog {
  /** The {@code prev} of the first record. */
  public static final String GENESIS = "0".repeat(64);

  /** Largest log read (a record is well under 2 KiB: millions of burns). */
  static final long MAX_LOG_BYTES = 1L << 30;

  /** Largest head file read: a sequence number, a hash and a MAC on one line. */
  static final long MAX_HEAD_BYTES = 4L << 10;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path file;
  private final LogKey key;

  public BurnLog(Path file) {
    this(file, null);
  }

  /** A log chained with {@code key} (null: unkeyed SHA-256). */
  public BurnLog(Path file, LogKey key) {
    this.file = file;
    this.key = key;
  }

  public Path file() {
    return file;
  }

  /** The head file that guards against removing the last records. */
  public Path headFile() {
    return file.resolveSibling(file.getFileName() + ".head");
  }

  /**
   * Appends one record, chained to the last whole record, and updates the head file; a torn last
   * line is first ended and marked by a recovery line. Appends from several processes are
   * serialised by a lock on the log file.
   *
   * @return the line as written (without its line break)
   */
  public String append(BurnRecord record) throws IOException {
    Path absolute = file.toAbsolutePath();
    Files.createDirectories(absolute.getParent());
    try (FileChannel channel =
            FileChannel.open(
                absolute, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
      FileLock lock = channel.lock();
      try {
        return appendLocked(channel, record);
      } finally {
        lock.release();
      }
    }
  }

  /** The last line that is a whole record, and a torn line after it if any. */
  private record Tail(JsonNode last, String torn, int tornLine, boolean endsWithNewline) {}

  private String appendLocked(FileChannel channel, BurnRecord record) throws IOException {
    Tail tail = tail(channel);
    long seq = 1;
    String prev = GENESIS;
    if (tail.last() != null) {
      seq = tail.last().path("seq").asLong() + 1;
      prev = tail.last().path("hash").asText();
    }
    StringBuilder out = new StringBuilder();
    if (!tail.endsWithNewline()) {
      out.append('\n');
    }
    if (tail.torn() != null) {
      ObjectNode recovery = MAPPER.createObjectNode();
      recovery.put("seq", seq);
      recovery.put("time", record.time().toString());
      recovery.put("kind", "recovery");
      ObjectNode what = recovery.putObject("recovery");
      byte[] torn = tail.torn().getBytes(StandardCharsets.UTF_8);
      what.put("line", tail.tornLine());
      what.put("bytes", torn.length);
      what.put("sha256", sha256(torn));
      recovery.put("prev", prev);
      seal(recovery);
      out.append(new String(CanonicalJson.bytes(recovery), StandardCharsets.UTF_8)).append('\n');
      prev = recovery.get("hash").asText();
      seq++;
    }
    ObjectNode node = toJson(record, seq, prev);
    seal(node);
    String line = new String(CanonicalJson.bytes(node), StandardCharsets.UTF_8);
    out.append(line).append('\n');
    channel.position(channel.size());
    ByteBuffer bytes = ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
    // The record must be on disk before the head names it, or a crash would leave a head that
    // points past the end of the log.
    channel.force(true);
    AtomicFiles.write(headFile(), headLine(seq, node.get("hash").asText()));
    return line;
  }

  private void seal(ObjectNode node) {
    if (key != null) {
      node.put("keyId", key.id());
    }
    node.put("hash", hashOf(node, key));
  }

  private byte[] headLine(long seq, String hash) {
    String line = seq + " " + hash;
    if (key != null) {
      line += " " + key.mac(("kiln burn log head " + line).getBytes(StandardCharsets.US_ASCII));
    }
    return (line + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** Finds the last whole record and a torn (unparseable) last line after it. */
  private static Tail tail(FileChannel channel) throws IOException {
    long size = channel.size();
    if (size == 0) {
      return new Tail(null, null, 0, true);
    }
    if (size > MAX_LOG_BYTES) {
      throw new IOException("the burn log is larger than " + MAX_LOG_BYTES + " bytes");
    }
    ByteBuffer all = ByteBuffer.allocate((int) size);
    while (all.hasRemaining() && channel.read(all, all.position()) > 0) {
      // read until full
    }
    String text = new String(all.array(), 0, all.position(), StandardCharsets.UTF_8);
    boolean newline = text.endsWith("\n");
    String[] lines = text.split("\n", -1);
    int count = newline ? lines.length - 1 : lines.length;
    String torn = null;
    int tornLine = 0;
    for (int i = count - 1; i >= 0; i--) {
      if (lines[i].isBlank()) {
        continue;
      }
      JsonNode node = parseRecord(lines[i]);
      if (node != null) {
        return new Tail(node, torn, tornLine, newline);
      }
      if (torn == null) {
        torn = lines[i];
        tornLine = i + 1;
      } else {
        // Two damaged lines: not a torn append. Chain after the last one anyway, marking it, so
        // that the new record is never lost; verify names the earlier damage.
        break;
      }
    }
    return new Tail(lastRecordBefore(lines, tornLine), torn, tornLine, newline);
  }

  private static JsonNode lastRecordBefore(String[] lines, int tornLine) {
    for (int i = tornLine - 2; i >= 0; i--) {
      JsonNode node = parseRecord(lines[i]);
      if (node != null) {
        return node;
      }
    }
    return null;
  }

  /** The line as a JSON object with a textual hash and a seq, or null. */
  private static JsonNode parseRecord(String line) {
    try {
      JsonNode node = StrictJson.parse(line, "burn-log line");
      if (node != null && node.isObject() && node.path("hash").isTextual()
          && node.path("seq").isIntegralNumber()) {
        return node;
      }
    } catch (IOException e) {
      // not JSON
    }
    return null;
  }

  private static String sha256(byte[] data) {
    return dev.kiln.pipeline.report.HexDigests.sha256(data);
  }

  static ObjectNode toJson(BurnRecord record, long seq, String prev) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("seq", seq);
    node.put("time", record.time().toString());
    node.put("host", record.host());
    node.put("device", record.device());
    node.put("deviceSerial", record.deviceSerial());
    node.put("psid", record.psid());
    node.put("before", record.beforeVersion());
    node.put("after", record.afterVersion());
    node.put("imageSha512", record.imageSha512());
    if (record.bundleSha512() == null) {
      node.putNull("bundleSha512");
    } else {
      node.put("bundleSha512", record.bundleSha512());
    }
    node.put("result", record.result());
    node.put("detail", record.detail());
    node.put("prev", prev);
    return node;
  }

  /** SHA-256 of the canonical JSON of {@code node} without its {@code hash} member. */
  static String hashOf(JsonNode node) {
    return hashOf(node, null);
  }

  /** The hash of {@code node}: HMAC-SHA256 with {@code key}, or SHA-256 without. */
  static String hashOf(JsonNode node, LogKey key) {
    ObjectNode copy = node.deepCopy();
    copy.remove("hash");
    byte[] bytes = CanonicalJson.bytes(copy);
    return key == null ? sha256(bytes) : key.mac(bytes);
  }

  /** Checks the whole chain and the head, which must exist. */
  public Verification verify() throws IOException {
    return verify(false);
  }

  /**
   * Checks the whole chain and the head.
   *
   * @param allowMissingHead accept a log without its head file (the check then cannot tell a
   *     truncated log from a complete one, and says so)
   * @throws NoSuchFileException if the log does not exist
   */
  public Verification verify(boolean allowMissingHead) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString());
    }
    List<String> lines =
        new String(BoundedFiles.read(file, MAX_LOG_BYTES, "a burn log"), StandardCharsets.UTF_8)
            .lines()
            .toList();
    List<BurnRecord> records = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    String prev = GENESIS;
    long expectedSeq = 1;
    String guarantee =
        key == null
            ? "unkeyed SHA-256 chain: detects damage and edits that do not rewrite the chain and"
                + " its head; whoever can write the log can rewrite it (use --log-key)"
            : "keyed HMAC-SHA256 chain (key id " + key.id() + "): every record and the head are"
                + " authenticated; without the key nobody can edit, insert, remove or truncate"
                + " records undetected";
    for (int i = 0; i < lines.size(); i++) {
      int lineNumber = i + 1;
      String line = lines.get(i);
      if (line.isBlank()) {
        return Verification.broken(lineNumber, "empty line inside the log", records, guarantee);
      }
      JsonNode node = parseRecord(line);
      if (node == null) {
        JsonNode next = i + 1 < lines.size() ? parseRecord(lines.get(i + 1)) : null;
        if (next != null && marksTorn(next, lineNumber, line)) {
          notes.add("line " + lineNumber + " is a torn record (an append cut by a crash), marked"
              + " by the recovery line after it");
          continue;
        }
        if (i == lines.size() - 1) {
          return Verification.broken(
              lineNumber, "a torn last line (an append cut by a crash); the next append marks it",
              records, guarantee);
        }
        return Verification.broken(lineNumber, "not a burn record (edited)", records, guarantee);
      }
      if (key != null && !key.id().equals(node.path("keyId").asText())) {
        return Verification.broken(
            lineNumber,
            node.has("keyId")
                ? "the record was written with another key (id " + node.path("keyId").asText()
                    + ")"
                : "the record is not keyed",
            records, guarantee);
      }
      if (key == null && node.has("keyId")) {
        return Verification.broken(
            lineNumber,
            "the log is keyed (key id " + node.path("keyId").asText() + "); verify it with"
                + " --log-key",
            records, guarantee);
      }
      String hash = node.get("hash").asText();
      if (!MessageDigest.isEqual(
          hash.getBytes(StandardCharsets.US_ASCII),
          hashOf(node, key).getBytes(StandardCharsets.US_ASCII))) {
        return Verification.broken(
            lineNumber, "the record was edited (its hash does not match its content)", records,
            guarantee);
      }
      if (node.path("seq").asLong() != expectedSeq || !prev.equals(node.path("prev").asText())) {
        return Verification.broken(
            lineNumber,
            "the chain is broken before this record: a record was removed or inserted (expected"
                + " seq " + expectedSeq + ", found " + node.path("seq").asText() + ")",
            records, guarantee);
      }
      if (!"recovery".equals(node.path("kind").asText())) {
        try {
          records.add(fromJson(node));
        } catch (RuntimeException e) {
          return Verification.broken(lineNumber, "the record misses a field", records, guarantee);
        }
      }
      prev = hash;
      expectedSeq++;
    }
    long last = expectedSeq - 1;
    Path head = headFile();
    if (!Files.exists(head)) {
      if (!allowMissingHead) {
        return Verification.broken(
            lines.size() + 1,
            "no head file " + head.getFileName() + ": the log's end cannot be checked (a log"
                + " cut short would look complete); --allow-missing-head checks the rest",
            records, guarantee);
      }
      notes.add("no head file " + head.getFileName()
          + ": NOT checked that the log is complete (records may be missing at its end)");
      return new Verification(true, 0, String.join("; ", notes), records, guarantee);
    }
    String[] headParts =
        new String(BoundedFiles.read(head, MAX_HEAD_BYTES, "a burn-log head file"),
                StandardCharsets.US_ASCII)
            .trim()
            .split(" ");
    long headSeq;
    try {
      headSeq = Long.parseLong(headParts[0]);
    } catch (NumberFormatException e) {
      return Verification.broken(0, "the head file is damaged", records, guarantee);
    }
    if (key != null) {
      String signed = headParts.length == 3 ? headParts[0] + " " + headParts[1] : "";
      if (headParts.length != 3
          || !MessageDigest.isEqual(
              headParts[2].getBytes(StandardCharsets.US_ASCII),
              key.mac(("kiln burn log head " + signed).getBytes(StandardCharsets.US_ASCII))
                  .getBytes(StandardCharsets.US_ASCII))) {
        return Verification.broken(
            0, "the head file is not authenticated by the key (forged or replaced)", records,
            guarantee);
      }
    }
    boolean matches = headParts.length >= 2 && headSeq == last && headParts[1].equals(prev);
    if (!matches && headSeq == last - 1 && last > 0) {
      // A crash after the record reached the disk but before the head was replaced: nothing is
      // missing; the next append writes the head again.
      notes.add("the head names record " + headSeq + ": the last append was cut before its head"
          + " was written");
      matches = true;
    }
    if (!matches) {
      return Verification.broken(
          lines.size() + 1,
          "the log ends at record " + last + " but its head names record " + headSeq
              + ": the last record(s) were removed or the log was replaced",
          records, guarantee);
    }
    return new Verification(true, 0, String.join("; ", notes), records, guarantee);
  }

  /** Whether {@code recovery} is a recovery line naming {@code line} (number and bytes). */
  private static boolean marksTorn(JsonNode recovery, int lineNumber, String line) {
    JsonNode what = recovery.path("recovery");
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    return "recovery".equals(recovery.path("kind").asText())
        && what.path("line").asLong() == lineNumber
        && what.path("bytes").asLong() == bytes.length
        && what.path("sha256").asText().equals(sha256(bytes));
  }

  private static BurnRecord fromJson(JsonNode node) {
    try {
      return new BurnRecord(
          Instant.parse(node.get("time").asText()),
          node.get("device").asText(),
          node.get("psid").asText(),
          node.get("before").asText(),
          node.get("after").asText(),
          node.get("imageSha512").asText(),
          node.get("bundleSha512").isNull() ? null : node.get("bundleSha512").asText(),
          node.get("result").asText(),
          node.get("detail").asText(),
          node.path("host").asText(""),
          node.path("deviceSerial").asText(""));
    } catch (NullPointerException | DateTimeParseException e) {
      throw new IllegalArgumentException("incomplete record", e);
    }
  }

  /**
   * The outcome of {@link #verify}.
   *
   * @param intact true when the whole chain and the head check out
   * @param line the 1-based line where the problem was found (one past the end for a removed
   *     tail), 0 when intact or when the head file itself is damaged
   * @param message what is wrong (or a note when intact), empty when intact with nothing to say
   * @param records the records that verified before the problem
   * @param guarantee what the check proves (unkeyed chain, or keyed with which key)
   */
  public record Verification(
      boolean intact, int line, String message, List<BurnRecord> records, String guarantee) {
    public Verification {
      records = List.copyOf(records);
    }

    static Verification broken(
        int line, String message, List<BurnRecord> records, String guarantee) {
      return new Verification(false, line, message, records, guarantee);
    }

    public Optional<String> note() {
      return intact && !message.isEmpty() ? Optional.of(message) : Optional.empty();
    }
  }
}
