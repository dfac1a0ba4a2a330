package dev.kiln.pipeline.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * The {@code kiln} program's entry point. It deliberately names no picocli type, so that a plain
 * {@code kiln verify IMAGE} or {@code kiln inspect IMAGE} runs through {@link QuickCommands}
 * without loading picocli at all (the JVM would load picocli classes while linking a class that
 * uses them); every other command line goes to {@link KilnCli}.
 */
public final class Kiln {
  private Kiln() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    int exitCode = run(out, err, args);
    out.flush();
    err.flush();
    System.exit(exitCode);
  }

  /** Runs one {@code kiln} invocation and returns its exit code; never throws, never exits. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    OptionalInt quick = QuickCommands.run(out, err, args);
    return quick.isPresent() ? quick.getAsInt() : KilnCli.runWithPicocli(out, err, args);
  }
}
