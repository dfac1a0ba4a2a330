package dev.kiln.burner.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.inspector.io.BoundedFiles;
import dev.kiln.registers.Recording;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The register transactions of a recorded session, in the order they happened, read from either
 * of the two formats {@code replay:FILE} accepts (told apart by their first bytes):
 *
 * <ul>
 *   <li>a Kiln recording, {@code KILNREC1} ({@link Recording}): what {@code --record} and {@code
 *       kiln device serve --record} write;
 *   <li>an ICMD transcript as JSON, the format of {@code real-cx5-query/registers.json}: an array
 *       of objects, one per {@code FLASH_REG_ACCESS} command, each with {@code request_mailbox}
 *       and {@code reply_mailbox} (the mailbox bytes in hex, big-endian as the mailbox holds them:
 *       exactly a register envelope) and {@code icmd_status} (0 = the command ran). Other members
 *       ({@code register_id}, {@code name}, {@code method}, {@code operation_status}) restate
 *       what the mailboxes say and are not trusted.
 * </ul>
 *
 * <p>The file is read once, bounded by {@link #MAX_FILE_BYTES} (a file that grows while being
 * read is refused), and parsed from the bytes read.
 */
public final class Transcript {
  /** Largest file accepted: a 32 MiB image's burn records about 90 MB. */
  public static final long MAX_FILE_BYTES = 512L << 20;

  /**
   * One transaction.
   *
   * @param request the request envelope
   * @param reply the reply envelope
   * @param icmdStatus the ICMD status of the command that carried it (0 = delivered; a Kiln
   *     recording holds delivered transactions only)
   */
  public record Transaction(byte[] request, byte[] reply, int icmdStatus) {
    public Transaction {
      request = request.clone();
      reply = reply.clone();
    }

    @Override
    public byte[] request() {
      return request.clone();
    }

    @Override
    public byte[] reply() {
      return reply.clone();
    }
  }

  private Transcript() {}

  /**
   * Reads {@code file}.
   *
   * @throws IOException when it is missing, not a regular file, too large, or in neither format
   */
  public static List<Transaction> read(Path file) throws IOException {
    byte[] bytes = BoundedFiles.read(file, MAX_FILE_BYTES, "a recording or ICMD transcript");
    if (Recording.hasMagic(bytes)) {
      List<Transaction> transactions = new ArrayList<>();
      for (Recording.Transaction recorded :
          Recording.read(new ByteArrayInputStream(bytes), file.toString())) {
        transactions.add(new Transaction(recorded.request(), recorded.response(), 0));
      }
      return transactions;
    }
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    if (text.startsWith("[")) {
      return readJson(text, file);
    }
    throw new IOException(
        file + ": neither a Kiln recording (KILNREC1) nor a JSON ICMD transcript");
  }

  private static List<Transaction> readJson(String text, Path file) throws IOException {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(text);
    } catch (JsonProcessingException e) {
      throw new IOException(
          file + ": not valid JSON at line " + e.getLocation().getLineNr() + ": "
              + e.getOriginalMessage());
    }
    if (!root.isArray()) {
      throw new IOException(file + ": a JSON transcript is an array of transactions");
    }
    List<Transaction> transactions = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode entry = root.get(i);
      byte[] request = hex(entry, "request_mailbox", i, file);
      byte[] reply = hex(entry, "reply_mailbox", i, file);
      JsonNode status = entry.get("icmd_status");
      if (status == null || !status.canConvertToInt() || status.asInt() < 0) {
        throw new IOException(file + ": transaction " + i + " has no valid icmd_status");
      }
      transactions.add(new Transaction(request, reply, status.asInt()));
    }
    return transactions;
  }

  private static byte[] hex(JsonNode entry, String name, int index, Path file)
      throws IOException {
    JsonNode value = entry == null ? null : entry.get(name);
    if (value == null || !value.isTextual()) {
      throw new IOException(file + ": transaction " + index + " has no " + name);
    }
    try {
      return HexFormat.of().parseHex(value.asText());
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": transaction " + index + ": " + name + " is not hex");
    }
  }
}
