package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.testkit.Mstflint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the three commands of docs/burner.md "Compared with mstflint 4.21" as written, with the
 * placeholders {@code DEV}, {@code OLD.bin} and {@code NEW.bin} replaced by real paths and
 * {@code ./kiln} by the CLI of this build (a child JVM, as the launcher runs it).
 */
class MstflintRecipeTest {
  static List<List<String>> recipe() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("..", "docs", "burner.md"));
    int marker = lines.indexOf("<!-- mstflint-recipe -->");
    assertTrue(marker >= 0, "docs/burner.md lost its mstflint recipe");
    assertEquals("```sh", lines.get(marker + 1));
    List<List<String>> commands = new ArrayList<>();
    for (int i = marker + 2; !lines.get(i).equals("```"); i++) {
      List<String> words = List.of(lines.get(i).trim().split(" +"));
      assertEquals("./kiln", words.get(0), lines.get(i));
      commands.add(words.subList(1, words.size()));
    }
    return commands;
  }

  @Test
  void theRecipeBurnsWithMstflintAndTheNextQueryRunsTheNewVersion(@TempDir Path dir)
      throws Exception {
    Mstflint.require();
    Path old = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.39.1002"), "old");
    Path next = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.41.1000"), "new");
    Path device = dir.resolve("dev");
    List<List<String>> commands = recipe();
    assertEquals(3, commands.size());
    Mstflint.Result last = null;
    for (List<String> command : commands) {
      List<String> args = new ArrayList<>();
      for (String word : command) {
        args.add(
            switch (word) {
              case "DEV" -> device.toString();
              case "OLD.bin" -> old.toString();
              case "NEW.bin" -> next.toString();
              default -> word;
            });
      }
      last = KilnChildProcess.run(args.toArray(String[]::new));
      assertEquals(0, last.exitCode(), command + ": " + last.output());
    }
    // Each exec powers the device on for one command: the image burnt by the second line runs.
    assertEquals("22.41.1000", last.field("FW Version"), last.output());
    assertEquals(SampleFirmware.PSID, last.field("PSID"), last.output());
  }
}
