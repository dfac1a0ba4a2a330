package dev.kiln.inspector.io;

import dev.kiln.inspector.ImageFormatException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns the fault of a memory-mapped file that shrank under kiln into exit 3 and one line.
 *
 * <p>Why images stay mapped rather than read into memory: {@code ImageParser.parse(Path)} maps an
 * image so that a 64 MiB image costs address space, not heap, and {@code kiln verify} over many
 * images touches only the pages it checks (docs/architecture.md, "Start-up"). The price is that
 * another process can truncate the file while it is mapped; touching a page past the new end
 * then raises SIGBUS, which HotSpot delivers as {@link InternalError} ("a fault occurred in an
 * unsafe memory access operation") at the access. The error is precise and the JVM stays sound,
 * so the place to handle it is the boundary where one command works on one mapped file: the
 * command catches it there, reports the file and goes on (or stops) with exit 3. Commands that
 * must judge and use the very same bytes (check, burn, bundle) read the file into memory with
 * {@link BoundedFiles} instead and cannot see this fault at all.
 */
public final class MappedFileFaults {
  private MappedFileFaults() {}

  /** Work on a mapped file. */
  @FunctionalInterface
  public interface MappedWork<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code work}, which reads {@code file} through a mapping.
   *
   * @throws ImageFormatException if the file shrank while {@code work} read it
   * @throws IOException whatever {@code work} throws
   */
  public static <T> T guard(Path file, MappedWork<T> work) throws IOException {
    try {
      return work.run();
    } catch (InternalError e) {
      if (!isMappedAccessFault(e)) {
        throw e;
      }
      throw new ImageFormatException(
          file + ": the file shrank while kiln read it (another process truncated or rewrote it)",
          e);
    }
  }

  /** Whether {@code error} is HotSpot's report of a fault in a mapped (unsafe) memory access. */
  static boolean isMappedAccessFault(InternalError error) {
    String message = error.getMessage();
    return message != null && message.startsWith("a fault occurred in")
        && message.contains("unsafe memory access");
  }
}
