package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The help of every command reads cleanly at picocli's 80-column width: the first description line
 * is a whole sentence (it is all that {@code kiln --help} and the parents' command lists show), and
 * no description line but the last is wider than the screen, because picocli wraps a wide line and
 * then breaks again at the next one, leaving a ragged stub of a line in between. Options and
 * parameters have one description paragraph each.
 */
class HelpTextTest {
  private static final int WIDTH = 80;

  @Test
  void everyCommandsDescriptionFitsAndStartsWithASentence() {
    CommandLine root =
        KilnCli.newCommandLine(new PrintWriter(new StringWriter()),
            new PrintWriter(new StringWriter()));
    List<String> problems = new ArrayList<>();
    List<CommandLine> commands = new ArrayList<>();
    collect(root, commands);
    assertTrue(commands.size() > 30, "found only " + commands.size() + " commands");
    for (CommandLine command : commands) {
      String name = command.getCommandSpec().qualifiedName();
      String[] lines = command.getCommandSpec().usageMessage().description();
      if (lines.length == 0) {
        problems.add(name + ": no description");
        continue;
      }
      String summary = lines[0];
      if (summary.length() > WIDTH || !(summary.endsWith(".") || summary.endsWith(".)"))) {
        problems.add(name + ": first line is not one whole sentence: " + summary);
      }
      for (int i = 0; i < lines.length - 1; i++) {
        if (lines[i].length() > WIDTH) {
          problems.add(name + ": line " + (i + 1) + " is " + lines[i].length() + " wide");
        }
      }
      // Options and parameters get a narrow column: one paragraph each, which picocli wraps.
      for (ArgSpec arg : command.getCommandSpec().args()) {
        if (arg.description().length > 1) {
          problems.add(name + " " + label(arg) + ": " + arg.description().length
              + " description lines; give one and let picocli wrap it");
        }
      }
    }
    assertEquals(List.of(), problems);
  }

  private static String label(ArgSpec arg) {
    return arg instanceof OptionSpec option ? option.longestName() : arg.paramLabel();
  }

  private static void collect(CommandLine command, List<CommandLine> into) {
    into.add(command);
    for (CommandLine sub : command.getSubcommands().values()) {
      if (!into.contains(sub)) {
        collect(sub, into);
      }
    }
  }
}
