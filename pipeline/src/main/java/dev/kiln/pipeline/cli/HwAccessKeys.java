package dev.kiln.pipeline.cli;

import dev.kiln.inspector.io.BoundedFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * Where a HW access key comes from: a file or an environment variable, never the command line
 * (argv is visible to every user of the machine). The key is 64-bit hex, with or without 0x.
 */
final class HwAccessKeys {
  /** Largest key file read: the key is one 64-bit number. */
  static final long MAX_KEY_FILE_BYTES = 4L << 10;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(
        names = "--key-file",
        paramLabel = "FILE",
        description = "File holding the 64-bit HW access key in hex.")
    Path file;

    @Option(
        names = "--key-env",
        paramLabel = "VAR",
        description = "Environment variable holding the 64-bit HW access key in hex.")
    String env;
  }

  /** Reads and parses the key; the message never contains the key. */
  long key() {
    String text;
    String origin;
    if (source.file != null) {
      origin = "key file " + source.file;
      try {
        text =
            new String(
                BoundedFiles.read(source.file, MAX_KEY_FILE_BYTES, "an HW access key file"),
                StandardCharsets.US_ASCII);
      } catch (BoundedFiles.UnreadableFileException e) {
        throw new CommandFailure(ExitCodes.KEY_ACCESS, "cannot read " + origin + ": "
            + e.getMessage());
      } catch (IOException e) {
        throw new CommandFailure(ExitCodes.KEY_ACCESS, "cannot read " + origin + ": "
            + e.getClass().getSimpleName());
      }
    } else {
      origin = "environment variable " + source.env;
      text = System.getenv(source.env);
      if (text == null) {
        throw new CommandFailure(ExitCodes.KEY_ACCESS, origin + " is not set");
      }
    }
    return parse(text, origin);
  }

  static long parse(String text, String origin) {
    String hex = text.trim();
    if (hex.startsWith("0x") || hex.startsWith("0X")) {
      hex = hex.substring(2);
    }
    if (hex.isEmpty()
        || hex.length() > 16
        || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new CommandFailure(
          ExitCodes.KEY_ACCESS, origin + " does not hold a 64-bit hex key (up to 16 hex digits)");
    }
    return Long.parseUnsignedLong(hex, 16);
  }
}
