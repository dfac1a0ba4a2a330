package dev.kiln.pipeline.burnlog;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.pipeline.feed.CanonicalJson;
import dev.kiln.pipeline.report.AtomicFiles;
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
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
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
 *  "device":"emu:/tmp/dev","hash":"&lt;64 hex&gt;","imageSha512":"...","prev":"&lt;64 hex&gt;",
 *  "psid":"MT_0000000528","result":"ok","seq":1,"time":"2026-11-25T07:00:00Z"}
 * </pre>
 *
 * <ul>
 *   <li>{@code seq} counts from 1, one more on every line;
 *   <li>{@code prev} is the previous line's {@code hash} (64 zeros on the first line);
 *   <li>{@code hash} is the lower-case hex SHA-256 of the canonical JSON of the same object
 *       without its {@code hash} member.
 * </ul>
 *
 * <p>Editing a line breaks its own hash; removing or inserting a line breaks {@code seq} and the
 * next line's {@code prev}. Removing the last lines leaves a valid shorter chain, so every append
 * also writes {@code LOG.head} (the last {@code seq} and {@code hash}) beside the log; {@link
 * #verify} compares the log's end with it.
 */
public final class BurnLog {
  /** The {@code prev} of the first record. */
  public static final String GENESIS = "0".repeat(64);

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final Path file;

  public BurnLog(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /** The head file that guards against removing the last records. */
  public Path headFile() {
    return file.resolveSibling(file.getFileName() + ".head");
  }

  /**
   * Appends one record, chained to the current last line, and updates the head file. Appends from
   * several processes are serialised by a lock on the log file.
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

  private String appendLocked(FileChannel channel, BurnRecord record) throws IOException {
    String lastLine = lastLine(channel);
    long seq = 1;
    String prev = GENESIS;
    if (lastLine != null) {
      JsonNode last = MAPPER.readTree(lastLine);
      seq = last.path("seq").asLong() + 1;
      prev = last.path("hash").asText();
    }
    ObjectNode node = toJson(record, seq, prev);
    node.put("hash", hashOf(node));
    String line = new String(CanonicalJson.bytes(node), StandardCharsets.UTF_8);
    channel.position(channel.size());
    ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
    // The record must be on disk before the head names it, or a crash would leave a head that
    // points past the end of the log.
    channel.force(true);
    AtomicFiles.write(
        headFile(), (seq + " " + node.get("hash").asText() + "\n").getBytes(
            StandardCharsets.US_ASCII));
    return line;
  }

  /** Reads the last non-empty line of the file, or null if it has none. */
  private static String lastLine(FileChannel channel) throws IOException {
    long size = channel.size();
    if (size == 0) {
      return null;
    }
    ByteBuffer all = ByteBuffer.allocate((int) Math.min(size, Integer.MAX_VALUE - 16));
    channel.read(all, 0);
    String text = new String(all.array(), 0, all.position(), StandardCharsets.UTF_8);
    String[] lines = text.split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      if (!lines[i].isBlank()) {
        return lines[i];
      }
    }
    return null;
  }

  static ObjectNode toJson(BurnRecord record, long seq, String prev) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("seq", seq);
    node.put("time", record.time().toString());
    node.put("device", record.device());
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
    ObjectNode copy = node.deepCopy();
    copy.remove("hash");
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(CanonicalJson.bytes(copy)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JRE has SHA-256", e);
    }
  }

  /**
   * Checks the whole chain and the head.
   *
   * @throws NoSuchFileException if the log does not exist
   */
  public Verification verify() throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<BurnRecord> records = new ArrayList<>();
    String prev = GENESIS;
    long expectedSeq = 1;
    for (int i = 0; i < lines.size(); i++) {
      int lineNumber = i + 1;
      String line = lines.get(i);
      if (line.isBlank()) {
        return Verification.broken(lineNumber, "empty line inside the log", records);
      }
      JsonNode node;
      try {
        node = MAPPER.readTree(line);
      } catch (IOException e) {
        return Verification.broken(lineNumber, "not a JSON record (edited)", records);
      }
      if (node == null || !node.isObject() || !node.path("hash").isTextual()) {
        return Verification.broken(lineNumber, "not a burn record (edited)", records);
      }
      String hash = node.get("hash").asText();
      if (!hash.equals(hashOf(node))) {
        return Verification.broken(
            lineNumber, "the record was edited (its hash does not match its content)", records);
      }
      if (node.path("seq").asLong() != expectedSeq || !prev.equals(node.path("prev").asText())) {
        return Verification.broken(
            lineNumber,
            "the chain is broken before this record: a record was removed or inserted (expected"
                + " seq " + expectedSeq + ", found " + node.path("seq").asText() + ")",
            records);
      }
      try {
        records.add(fromJson(node));
      } catch (RuntimeException e) {
        return Verification.broken(lineNumber, "the record misses a field", records);
      }
      prev = hash;
      expectedSeq++;
    }
    Path head = headFile();
    if (!Files.exists(head)) {
      return new Verification(
          true, 0,
          "no head file " + head.getFileName() + "; removal of the last records cannot be detected",
          records);
    }
    String[] headParts = Files.readString(head, StandardCharsets.US_ASCII).trim().split(" ");
    long headSeq;
    try {
      headSeq = Long.parseLong(headParts[0]);
    } catch (NumberFormatException e) {
      return Verification.broken(0, "the head file is damaged", records);
    }
    if (headParts.length != 2 || headSeq != expectedSeq - 1 || !headParts[1].equals(prev)) {
      return Verification.broken(
          lines.size() + 1,
          "the log ends at record " + (expectedSeq - 1) + " but its head names record " + headSeq
              + ": the last record(s) were removed or the log was replaced",
          records);
    }
    return new Verification(true, 0, "", records);
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
          node.get("detail").asText());
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
   */
  public record Verification(
      boolean intact, int line, String message, List<BurnRecord> records) {
    public Verification {
      records = List.copyOf(records);
    }

    static Verification broken(int line, String message, List<BurnRecord> records) {
      return new Verification(false, line, message, records);
    }

    public Optional<String> note() {
      return intact && !message.isEmpty() ? Optional.of(message) : Optional.empty();
    }
  }
}
