package dev.kiln.pipeline.cli;

import dev.kiln.pipeline.demo.Demo;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kiln demo}: the README's first command. Builds, signs, inspects, checks, bundles, verifies
 * and burns a sample image into an emulated device in a temporary directory, showing a rejected
 * unsigned image and a rejected forbidden version on the way. Exit 0 when every step behaved as
 * expected.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole release path on a sample image and an emulated device.",
      "Uses the embedded sample description, the keys-sample key (NOT FOR PRODUCTION) and an"
          + " emulated ConnectX-6 Dx in a temporary directory."
    })
public final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-v", "--verbose"}, description = "Show every command and its output.")
  boolean verbose;

  @Option(names = "--keep", description = "Keep the temporary directory for a look around.")
  boolean keep;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    Path dir = Files.createTempDirectory("kiln-demo");
    Demo.Outcome outcome;
    try {
      Demo demo =
          new Demo(
              DemoCommand::kiln,
              KilnCli.newCommandLine(new PrintWriter(new StringWriter()),
                      new PrintWriter(new StringWriter()))
                  .getSubcommands().keySet(),
              dir, out, verbose);
      outcome = demo.run();
    } finally {
      if (keep) {
        out.println("kept " + dir);
      } else {
        try (Stream<Path> files = Files.walk(dir)) {
          for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(file);
          }
        }
      }
    }
    return outcome.complete() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
  }

  private static Demo.Result kiln(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KilnCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Demo.Result(code, out.toString(), err.toString());
  }
}
