package dev.kiln.pipeline.cli;

import dev.kiln.inspector.ImageVerifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The read-only image commands, run without picocli when their arguments are plain.
 *
 * <p>Why: picocli ships Java 5 class files, which the JVM's class-data-sharing archive cannot
 * hold, and it builds its model of a command by reflection. For {@code kiln verify IMAGE} that
 * costs about as much as the verification itself, and {@code verify} and {@code inspect} are the
 * commands that shell loops and CI gates run over many images. So {@link Kiln#run} first offers the
 * arguments here.
 *
 * <p>The contract: this class either runs the command exactly as the picocli command would (same
 * output, same exit code, same one-line errors; {@code QuickCommandsTest} checks both paths
 * against each other) or declines by returning empty, and then picocli handles the whole command
 * line. It accepts only
 *
 * <ul>
 *   <li>{@code verify [--json] [--warnings-as-errors] IMAGE...} (at least one image), and
 *   <li>{@code inspect [--json] [--toc] [--boot] IMAGE} (exactly one image),
 * </ul>
 *
 * <p>with each flag at most once, in any position. Anything else (help, other options, a repeated
 * flag, an argument starting with {@code -} or with picocli's argument-file marker {@code @}, a
 * missing or extra image) is declined, so usage errors and help always come from picocli.
 */
final class QuickCommands {
  private QuickCommands() {}

  /**
   * Runs {@code args} when they are a plain read-only command.
   *
   * @return the exit code, or empty when picocli must handle the command line
   */
  static OptionalInt run(PrintWriter out, PrintWriter err, String... args) {
    if (args.length < 2) {
      return OptionalInt.empty();
    }
    PlainArguments plain;
    switch (args[0]) {
      case "verify" -> {
        plain = PlainArguments.of(args, List.of("--json", "--warnings-as-errors"));
        if (plain == null || plain.operands.isEmpty()) {
          return OptionalInt.empty();
        }
        return guarded(err, () -> ImageVerification.run(out, err, plain.operands,
            plain.has("--json"), plain.has("--warnings-as-errors"), ImageVerifier::verify));
      }
      case "inspect" -> {
        plain = PlainArguments.of(args, List.of("--json", "--toc", "--boot"));
        if (plain == null || plain.operands.size() != 1) {
          return OptionalInt.empty();
        }
        return guarded(err, () -> ImageInspection.run(out, plain.operands.get(0),
            plain.has("--json"), plain.has("--toc"), plain.has("--boot")));
      }
      default -> {
        return OptionalInt.empty();
      }
    }
  }

  /** A command's work, giving its exit code. */
  private interface Work {
    int exitCode();
  }

  /** Runs the work and reports an escaping failure the way {@link KilnCli} does. */
  private static OptionalInt guarded(PrintWriter err, Work work) {
    try {
      return OptionalInt.of(work.exitCode());
    } catch (RuntimeException failure) {
      return OptionalInt.of(ExitCodes.report(failure, err));
    }
  }

  /**
   * The flags and operands of a plain command line (everything after the command name), or null
   * when an argument is not one of {@code flags}, a flag repeats, or an operand could be read as
   * an option or an argument file.
   */
  private static final class PlainArguments {
    private final List<String> flags = new ArrayList<>();
    private final List<Path> operands = new ArrayList<>();

    static PlainArguments of(String[] args, List<String> allowedFlags) {
      PlainArguments plain = new PlainArguments();
      for (int i = 1; i < args.length; i++) {
        String arg = args[i];
        if (allowedFlags.contains(arg)) {
          if (plain.flags.contains(arg)) {
            return null; // picocli reports the repetition
          }
          plain.flags.add(arg);
        } else if (arg.isEmpty() || arg.startsWith("-") || arg.startsWith("@")) {
          return null;
        } else {
          plain.operands.add(Path.of(arg));
        }
      }
      return plain;
    }

    boolean has(String flag) {
      return flags.contains(flag);
    }
  }
}
