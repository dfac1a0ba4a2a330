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
}
