package dev.kiln.pipeline.cli;

import dev.kiln.pipeline.release.PipelineContext;
import dev.kiln.pipeline.release.PipelineException;
import dev.kiln.pipeline.release.Pipelines;
import dev.kiln.pipeline.release.ReleaseDescription;
import dev.kiln.pipeline.release.ReleaseRunner;
import dev.kiln.signer.SigningServices;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln release RELEASE.json [--dry-run]}: build → sign → verify → check → bundle, each
 * stage printed, stopping at the first failure with the stage named. Products are published into
 * the output directory only after every stage passed; {@code --dry-run} publishes nothing.
 */
@Command(
    name = "release",
    mixinStandardHelpOptions = true,
    description = {
      "Run a release: build, sign, verify, check against targets, bundle.",
      "Stops at the first failing stage; writes the signed images and the bundle only when"
          + " every stage passed."
    })
public final class ReleaseCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "RELEASE", description = "Release description (JSON).")
  Path releaseFile;

  @Option(names = "--dry-run", description = "Run every stage but write nothing.")
  boolean dryRun;

  @Override
  public Integer call() throws IOException {
    SignCommand.requireReadable(releaseFile);
    ReleaseDescription description;
    try {
      description = ReleaseDescription.load(releaseFile);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(ExitCodes.UNREADABLE_INPUT, releaseFile + ": " + e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("release %s%s%n", description.name(), dryRun ? " (dry run)" : "");
    Path work = Files.createTempDirectory("kiln-release");
    try {
      PipelineContext context =
          new PipelineContext(
              description, dryRun, work, out, Clock.systemUTC(), SigningServices::open);
      ReleaseRunner.run(context, Pipelines.release(ReleaseCommand::build));
    } catch (PipelineException e) {
      throw new CommandFailure(e.exitCode(), e.getMessage(), e);
    } finally {
      try (Stream<Path> files = Files.walk(work)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
    out.printf("release %s: %s%n", description.name(), dryRun ? "dry run passed" : "done");
    return ExitCodes.OK;
  }

  /**
   * The build stage's builder: {@code kiln build DESCRIPTION --out IMAGE --force}, run in-process,
   * so a release builds exactly what {@code kiln build} builds (same reader, same checks, same
   * messages).
   */
  static void build(Path description, Path output) throws IOException {
    StringWriter stdout = new StringWriter();
    StringWriter stderr = new StringWriter();
    int code =
        KilnCli.run(
            new PrintWriter(stdout, true), new PrintWriter(stderr, true), "build",
            description.toString(), "--out", output.toString(), "--force");
    if (code != ExitCodes.OK) {
      String message = stderr.toString().strip().lines().findFirst().orElse("exit " + code);
      throw new IOException(message.startsWith("kiln: ") ? message.substring(6) : message);
    }
  }
}
