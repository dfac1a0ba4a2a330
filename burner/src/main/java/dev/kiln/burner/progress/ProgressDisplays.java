package dev.kiln.burner.progress;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * Picks the progress display for the standard error stream, where progress always goes (stdout
 * carries the result: text or one JSON object): a {@link TerminalProgressBar} as wide as the
 * terminal when stderr is one, else {@link LineProgress} (a line per 10 %) for pipes and files.
 *
 * <p>Whether stderr is a terminal is read from {@code /proc/self/fd/2} (a {@code /dev/pts/N} or
 * {@code /dev/ttyN} link; Java has no isatty). The width is {@code COLUMNS} when it is set to a
 * positive number (as with other Unix tools, so a user can narrow the bar on purpose), else what
 * {@code stty size} reports for that terminal, else {@value TerminalProgressBar#DEFAULT_COLUMNS}.
 */
public final class ProgressDisplays {
  private static final Path STDERR_LINK = Path.of("/proc/self/fd/2");
  private static final long STTY_TIMEOUT_MILLIS = 2_000;

  private ProgressDisplays() {}

  /**
   * Where the progress display draws.
   *
   * @param terminal whether it is an interactive terminal (else a pipe or a file)
   * @param columns the terminal's width (meaningless when not a terminal)
   */
  public record Target(boolean terminal, int columns) {
    /** A pipe or a file. */
    public static final Target PIPE = new Target(false, 0);
  }

  /** The display for {@code target}, writing to {@code err}. */
  public static BurnProgress on(PrintWriter err, Target target) {
    return target.terminal()
        ? new TerminalProgressBar(err, target.columns())
        : new LineProgress(err);
  }

  /** What the process's standard error is: a terminal (with its width) or not. */
  public static Target stderr() {
    Optional<Path> tty = stderrTerminal();
    if (tty.isEmpty()) {
      return Target.PIPE;
    }
    OptionalInt columns = columns(System.getenv());
    if (columns.isEmpty()) {
      columns = sttyColumns(tty.get());
    }
    return new Target(true, columns.orElse(TerminalProgressBar.DEFAULT_COLUMNS));
  }

  /** {@code COLUMNS} from the environment, when it is a positive number. */
  static OptionalInt columns(Map<String, String> environment) {
    String text = environment.get("COLUMNS");
    if (text == null || !text.trim().matches("[0-9]{1,5}")) {
      return OptionalInt.empty();
    }
    int columns = Integer.parseInt(text.trim());
    return columns > 0 ? OptionalInt.of(columns) : OptionalInt.empty();
  }

  /** The terminal device stderr is connected to, if it is one. */
  private static Optional<Path> stderrTerminal() {
    try {
      Path target = Files.readSymbolicLink(STDERR_LINK);
      String name = target.toString();
      if (name.startsWith("/dev/pts/") || name.startsWith("/dev/tty")) {
        return Optional.of(target);
      }
      return Optional.empty();
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return Optional.empty(); // not Linux, or no /proc: behave as for a pipe
    }
  }

  /** {@code stty size} on the terminal: "ROWS COLUMNS". */
  private static OptionalInt sttyColumns(Path tty) {
    try {
      Process stty =
          new ProcessBuilder("stty", "size")
              .redirectInput(tty.toFile())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String answer;
      try (InputStream in = stty.getInputStream()) {
        answer = new String(in.readNBytes(64), StandardCharsets.US_ASCII).trim();
      }
      if (!stty.waitFor(STTY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
        stty.destroyForcibly();
        return OptionalInt.empty();
      }
      String[] parts = answer.split("\\s+");
      if (stty.exitValue() != 0 || parts.length != 2 || !parts[1].matches("[0-9]{1,5}")) {
        return OptionalInt.empty();
      }
      int columns = Integer.parseInt(parts[1]);
      return columns > 0 ? OptionalInt.of(columns) : OptionalInt.empty();
    } catch (IOException e) {
      return OptionalInt.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalInt.empty();
    }
  }
}
