package dev.kiln.signer.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
  @TempDir Path dir;

  private static AuditRecord record(String output) {
    return new AuditRecord(
        Instant.parse("2026-11-25T07:00:00Z"),
        "sign",
        "/in \"quoted\".bin",
        output,
        "aa",
        "bb",
        List.of(
            new AuditRecord.Signature(
                "IMAGE_SIGNATURE_512",
                "awskms:///alias/release",
                "cc",
                "uuid",
                "awskms",
                Optional.of("req-1")),
            new AuditRecord.Signature(
                "IMAGE_SIGNATURE_256", "file:/k.pem", "dd", "uuid2", "file", Optional.empty())),
        "builder",
        "host\n1");
  }

  @Test
  void appendsOneParseableLinePerRecordAndNeverRewrites() throws Exception {
    AuditLog log = AuditLog.besideOutput(dir.resolve("out.bin"));
    assertEquals(dir.resolve("out.bin.kiln-audit.jsonl"), log.path());
    log.append(record("/out1.bin"));
    // A torn last line (crash mid-write) must not swallow the next record.
    Files.write(
        log.path(),
        "{\"torn\":".getBytes(StandardCharsets.UTF_8),
        java.nio.file.StandardOpenOption.APPEND);
    log.append(record("/out2.bin"));
    List<String> lines = Files.readAllLines(log.path());
    assertEquals(3, lines.size());
    ObjectMapper json = new ObjectMapper();
    JsonNode first = json.readTree(lines.get(0));
    assertEquals("/in \"quoted\".bin", first.get("input").asText());
    assertEquals("req-1", first.get("signatures").get(0).get("kmsRequestId").asText());
    assertTrue(first.get("signatures").get(1).get("kmsRequestId").isNull());
    assertEquals("host\n1", first.get("host").asText());
    assertEquals("2026-11-25T07:00:00Z", first.get("time").asText());
    assertEquals("/out2.bin", json.readTree(lines.get(2)).get("output").asText());
  }
}
