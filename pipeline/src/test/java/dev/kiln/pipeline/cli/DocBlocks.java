package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Test helper: the command lines of a doc's code block, read from the doc as it is shipped. */
final class DocBlocks {
  private DocBlocks() {}

  /** The lines of the first code block after the line {@code heading} that {@code keep} keeps. */
  static List<String> firstBlockAfter(Path doc, String heading, Predicate<String> keep)
      throws IOException {
    List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
    int start = lines.indexOf(heading);
    assertTrue(start >= 0, doc + " has no section '" + heading + "'");
    List<String> block = new ArrayList<>();
    boolean inBlock = false;
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("```")) {
        if (inBlock) {
          break;
        }
        inBlock = true;
      } else if (inBlock && keep.test(line)) {
        block.add(line);
      }
    }
    return block;
  }
}
