package dev.kiln.pipeline.burnlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BurnLogTest {
  @TempDir Path dir;

  static BurnRecord record(int n) {
    return new BurnRecord(
        Instant.parse("2026-11-25T07:00:00Z").plusSeconds(n), "emu:/tmp/dev" + n,
        "MT_0000000528", "22.39.1002", "22.41.1000", "ab".repeat(64), n % 2 == 0 ? null
            : "cd".repeat(64), "ok", "");
  }

  BurnLog logWith(int records) throws Exception {
    BurnLog log = new BurnLog(dir.resolve("burn.log"));
    for (int i = 1; i <= records; i++) {
      log.append(record(i));
    }
    return log;
  }

  @Test
  void intactLogVerifiesAndRoundTrips() throws Exception {
    BurnLog log = logWith(3);
    BurnLog.Verification verification = log.verify();
    assertTrue(verification.intact(), verification.message());
    assertEquals(List.of(record(1), record(2), record(3)), verification.records());
  }

  @Test
  void editedRecordIsNamedByLine() throws Exception {
    BurnLog log = logWith(3);
    List<String> lines = new ArrayList<>(Files.readAllLines(log.file()));
    lines.set(1, lines.get(1).replace("\"result\":\"ok\"", "\"result\":\"failed\""));
    Files.write(log.file(), lines, StandardCharsets.UTF_8);
    BurnLog.Verification verification = log.verify();
    assertFalse(verification.intact());
    assertEquals(2, verification.line());
    assertEquals(1, verification.records().size());
  }

  @Test
  void editedRecordWithRecomputedHashBreaksTheNextLine() throws Exception {
    BurnLog log = logWith(3);
    List<String> lines = new ArrayList<>(Files.readAllLines(log.file()));
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    var node = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(lines.get(1));
    node.put("after", "22.99.0000");
    node.put("hash", BurnLog.hashOf(node));
    lines.set(1, new String(
        dev.kiln.pipeline.feed.CanonicalJson.bytes(node), StandardCharsets.UTF_8));
    Files.write(log.file(), lines, StandardCharsets.UTF_8);
    BurnLog.Verification verification = log.verify();
    assertFalse(verification.intact());
    assertEquals(3, verification.line());
  }

  @Test
  void removedRecordIsDetected() throws Exception {
    BurnLog log = logWith(3);
    List<String> lines = new ArrayList<>(Files.readAllLines(log.file()));
    lines.remove(1);
    Files.write(log.file(), lines, StandardCharsets.UTF_8);
    BurnLog.Verification verification = log.verify();
    assertFalse(verification.intact());
    assertEquals(2, verification.line());
  }

  @Test
  void removedLastRecordIsDetectedThroughTheHead() throws Exception {
    BurnLog log = logWith(3);
    List<String> lines = new ArrayList<>(Files.readAllLines(log.file()));
    lines.remove(2);
    Files.write(log.file(), lines, StandardCharsets.UTF_8);
    BurnLog.Verification verification = log.verify();
    assertFalse(verification.intact());
    assertEquals(3, verification.line());
  }

  @Test
  void appendContinuesTheChainAcrossInstances() throws Exception {
    logWith(2);
    new BurnLog(dir.resolve("burn.log")).append(record(3));
    assertTrue(new BurnLog(dir.resolve("burn.log")).verify().intact());
  }

  /** A torn last line: what a crash in the middle of writing record 3 leaves. */
  private static void tear(Path file) throws Exception {
    byte[] whole = Files.readAllBytes(file);
    // Cut the last record half-way: the line stays without its end and its line break.
    int lastStart = new String(whole, StandardCharsets.UTF_8).lastIndexOf('\n', whole.length - 2) + 1;
    Files.write(file, java.util.Arrays.copyOf(whole, lastStart + (whole.length - lastStart) / 2));
  }

  @Test
  void aTornLastLineIsMarkedByARecoveryLineAndNoRecordIsLost() throws Exception {
    BurnLog log = logWith(3);
    tear(log.file());
    BurnLog.Verification torn = log.verify();
    assertFalse(torn.intact());
    assertTrue(torn.message().contains("torn last line"), torn.message());
    log.append(record(4));
    log.append(record(5));
    List<String> lines = Files.readAllLines(log.file());
    assertEquals(6, lines.size(), "2 records, the torn line, recovery, 2 records");
    assertTrue(lines.get(3).contains("\"kind\":\"recovery\""), lines.get(3));
    assertTrue(lines.get(3).contains("\"line\":3"), lines.get(3));
    BurnLog.Verification verification = log.verify();
    assertTrue(verification.intact(), verification.message());
    assertEquals(List.of(record(1), record(2), record(4), record(5)), verification.records());
    assertTrue(verification.message().contains("line 3 is a torn record"), verification.message());
  }

  @Test
  void aTornLineWithoutItsRecoveryMarkIsDamage() throws Exception {
    BurnLog log = logWith(3);
    List<String> lines = new ArrayList<>(Files.readAllLines(log.file()));
    lines.set(1, lines.get(1).substring(0, 40));
    Files.write(log.file(), lines, StandardCharsets.UTF_8);
    BurnLog.Verification verification = log.verify();
    assertFalse(verification.intact());
    assertEquals(2, verification.line());
  }

  @Test
  void truncationWithTheHeadDeletedDoesNotVerifyAsComplete() throws Exception {
    BurnLog log = logWith(3);
    List<String> lines = new ArrayList<>(Files.readAllLines(log.file()));
    lines.remove(2);
    Files.write(log.file(), lines, StandardCharsets.UTF_8);
    Files.delete(log.headFile());
    BurnLog.Verification verification = log.verify();
    assertFalse(verification.intact());
    assertTrue(verification.message().contains("no head file"), verification.message());
    BurnLog.Verification allowed = log.verify(true);
    assertTrue(allowed.intact());
    assertTrue(allowed.message().contains("NOT checked that the log is complete"),
        allowed.message());
  }

  private LogKey key(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return LogKey.read(file);
  }

  @Test
  void aKeyedLogCannotBeRewrittenOrCutWithoutTheKey() throws Exception {
    LogKey key = key("log.key", "0123456789abcdef0123456789abcdef");
    BurnLog log = new BurnLog(dir.resolve("burn.log"), key);
    for (int i = 1; i <= 3; i++) {
      log.append(record(i));
    }
    BurnLog.Verification intact = log.verify();
    assertTrue(intact.intact(), intact.message());
    assertTrue(intact.guarantee().startsWith("keyed HMAC-SHA256 chain (key id " + key.id()),
        intact.guarantee());
    assertTrue(Files.readString(log.file()).contains("\"keyId\":\"" + key.id() + "\""));

    // Without the key: an edit with a recomputed (unkeyed) hash is not accepted...
    byte[] original = Files.readAllBytes(log.file());
    List<String> lines = new ArrayList<>(Files.readAllLines(log.file()));
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    var node = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(lines.get(2));
    node.put("result", "failed");
    node.put("hash", BurnLog.hashOf(node));
    lines.set(2, new String(dev.kiln.pipeline.feed.CanonicalJson.bytes(node),
        StandardCharsets.UTF_8));
    Files.write(log.file(), lines, StandardCharsets.UTF_8);
    assertEquals(3, log.verify().line());
    // ... nor a log cut to two records with a head rewritten to match ...
    Files.write(log.file(), original);
    lines = new ArrayList<>(Files.readAllLines(log.file()));
    String secondHash = mapper.readTree(lines.get(1)).get("hash").asText();
    Files.write(log.file(), lines.subList(0, 2), StandardCharsets.UTF_8);
    Files.writeString(log.headFile(), "2 " + secondHash + "\n");
    BurnLog.Verification cut = log.verify();
    assertFalse(cut.intact());
    assertTrue(cut.message().contains("head file is not authenticated"), cut.message());
    // ... nor with another key; and without a key the keyed log is not passed as verified.
    Files.write(log.file(), original);
    log.append(record(4));
    assertFalse(new BurnLog(log.file(), key("other.key", "ffffffffffffffffffffffffffffffff"))
        .verify().intact());
    BurnLog.Verification unkeyed = new BurnLog(log.file()).verify();
    assertFalse(unkeyed.intact());
    assertTrue(unkeyed.message().contains("verify it with --log-key"), unkeyed.message());
  }

  @Test
  void anUnkeyedCheckSaysWhatItDoesNotProve() throws Exception {
    BurnLog.Verification verification = logWith(2).verify();
    assertTrue(verification.guarantee().startsWith("unkeyed SHA-256 chain"));
    assertTrue(verification.guarantee().contains("whoever can write the log can rewrite it"));
  }

  @Test
  void hostAndDeviceSerialRoundTrip() throws Exception {
    BurnLog log = new BurnLog(dir.resolve("burn.log"));
    BurnRecord full =
        new BurnRecord(
            Instant.parse("2026-11-25T07:00:00Z"), "pci:0000:03:00.0", "MT_0000000528",
            "22.39.1002", "22.41.1000", "ab".repeat(64), null, "ok", "", "build7",
            "e41d2d000001");
    log.append(full);
    assertEquals(List.of(full), log.verify().records());
  }
}
