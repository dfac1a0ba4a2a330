package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.pipeline.burnlog.BurnLog;
import dev.kiln.pipeline.burnlog.BurnRecord;
import dev.kiln.pipeline.check.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln log verify}: exit 0 intact, 1 naming the line of an edited or removed record. */
class LogCommandTest {
  @TempDir Path dir;

  Path log(int records) throws Exception {
    BurnLog log = new BurnLog(dir.resolve("burn.log"));
    for (int i = 0; i < records; i++) {
      log.append(
          new BurnRecord(
              Instant.parse("2026-11-25T07:00:00Z").plusSeconds(i), "emu:/dev" + i,
              "MT_0000000528", "22.39.1002", "22.41.1000", "aa".repeat(64), null, "ok", ""));
    }
    return log.file();
  }

  @Test
  void intactLog() throws Exception {
    Fixtures.Result result = Fixtures.kiln("log", "verify", log(3).toString());
    assertEquals(0, result.exitCode(), result.err());
    assertTrue(result.out().contains("intact, 3 record(s)"), result.out());
    assertTrue(result.out().contains("checked: unkeyed SHA-256 chain"), result.out());
  }

  @Test
  void aMissingHeadFailsUnlessAllowedAndThenSaysSo() throws Exception {
    Path file = log(3);
    Files.delete(file.resolveSibling("burn.log.head"));
    Fixtures.Result refused = Fixtures.kiln("log", "verify", file.toString());
    assertEquals(1, refused.exitCode());
    assertTrue(refused.err().contains("no head file"), refused.err());
    Fixtures.Result allowed =
        Fixtures.kiln("log", "verify", file.toString(), "--allow-missing-head");
    assertEquals(0, allowed.exitCode(), allowed.err());
    assertTrue(allowed.out().contains("NOT checked that the log is complete"), allowed.out());
  }

  @Test
  void editedLineIsNamed() throws Exception {
    Path file = log(3);
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.set(2, lines.get(2).replace("22.41.1000", "22.41.1001"));
    Files.write(file, lines, StandardCharsets.UTF_8);
    Fixtures.Result result = Fixtures.kiln("log", "verify", file.toString());
    assertEquals(1, result.exitCode());
    assertTrue(result.err().contains(": line 3: the record was edited"), result.err());
  }

  @Test
  void removedLineIsNamed() throws Exception {
    Path file = log(3);
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.remove(0);
    Files.write(file, lines, StandardCharsets.UTF_8);
    Fixtures.Result result = Fixtures.kiln("log", "verify", file.toString());
    assertEquals(1, result.exitCode());
    assertTrue(result.err().contains(": line 1: the chain is broken"), result.err());
  }
}
