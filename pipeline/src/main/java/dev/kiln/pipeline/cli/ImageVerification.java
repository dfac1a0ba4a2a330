package dev.kiln.pipeline.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.Finding;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.io.MappedFileFaults;
import dev.kiln.inspector.Severity;
import dev.kiln.inspector.VerificationResult;
import dev.kiln.pipeline.cli.json.ImageJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.function.Function;

/**
 * The work of {@code kiln verify} on image files, free of picocli so that {@link QuickCommands}
 * can run it without building a command-line model: parse each image, check it, print one line
 * per image (and its findings) or one JSON object, and compute the exit code. Exit 0 when every
 * image passes, 1 when any fails a check, 3 when any cannot be read (3 wins over 1, because an
 * unread image has not been verified at all).
 */
final class ImageVerification {
  private ImageVerification() {}

  /**
   * Verifies {@code images} in order with {@code check} and returns the exit code.
   *
   * @param check the verification of one parsed image (structural, plus signature findings when
   *     the command asked for them)
   */
  static int run(
      PrintWriter out,
      PrintWriter err,
      List<Path> images,
      boolean json,
      boolean warningsAsErrors,
      Function<Fs4Image, VerificationResult> check) {
    // Jackson is only touched for --json: the text path is the one a shell loop over many images
    // takes, and loading the JSON tree classes would be a good part of its start-up.
    ArrayNode results = json ? ImageJson.array() : null;
    boolean anyFailed = false;
    boolean anyUnreadable = false;
    List<Future<VerificationResult>> checked = checkAll(images, check);
    for (int i = 0; i < images.size(); i++) {
      Path path = images.get(i);
      VerificationResult result;
      try {
        result = outcome(checked.get(i));
      } catch (IOException e) {
        anyUnreadable = true;
        String message = ParseErrors.describe(path, e);
        err.println("kiln: " + message);
        if (json) {
          ObjectNode node = results.addObject();
          node.put("image", path.toString());
          node.put("readable", false);
          node.put("error", message);
        }
        continue;
      }
      boolean passed = result.passed(warningsAsErrors);
      anyFailed |= !passed;
      if (json) {
        ObjectNode node = results.addObject();
        node.put("image", path.toString());
        node.put("readable", true);
        node.put("passed", passed);
        node.put("errors", result.errors().size());
        node.put("warnings", result.warnings().size());
        node.set("findings", ImageJson.findings(result.findings()));
      } else {
        printText(out, path, result, passed);
      }
    }
    int exitCode =
        anyUnreadable ? ExitCodes.UNREADABLE_INPUT : anyFailed ? ExitCodes.CHECK_FAILED : 0;
    if (json) {
      ObjectNode root = ImageJson.object();
      root.put("passed", exitCode == 0);
      root.put("exitCode", exitCode);
      root.set("images", results);
      out.println(ImageJson.render(root));
    }
    out.flush();
    return exitCode;
  }

  /**
   * Parses and checks every image; several at once on a machine with several cores (one per
   * core: the images are independent, and a whole release is verified in one JVM). The results
   * are printed in argument order by the caller.
   */
  private static List<Future<VerificationResult>> checkAll(
      List<Path> images, Function<Fs4Image, VerificationResult> check) {
    List<Future<VerificationResult>> results = new ArrayList<>(images.size());
    int workers = Math.min(images.size(), Runtime.getRuntime().availableProcessors());
    if (workers <= 1) {
      for (Path path : images) {
        FutureTask<VerificationResult> task =
            new FutureTask<>(() -> checkOne(path, check));
        task.run();
        results.add(task);
      }
      return results;
    }
    ExecutorService pool = Executors.newFixedThreadPool(workers, runnable -> {
      Thread thread = new Thread(runnable, "kiln-verify-image");
      thread.setDaemon(true);
      return thread;
    });
    try {
      for (Path path : images) {
        results.add(pool.submit(() -> checkOne(path, check)));
      }
    } finally {
      pool.shutdown(); // the submitted checks still run; nothing new is accepted
    }
    return results;
  }

  /**
   * Parses and checks one image; a file that shrinks under its mapping is an IOException (exit 3),
   * not the JVM's InternalError ({@link MappedFileFaults}).
   */
  private static VerificationResult checkOne(
      Path path, Function<Fs4Image, VerificationResult> check) throws IOException {
    return MappedFileFaults.guard(path, () -> check.apply(ImageParser.parse(path)));
  }

  /** The result of one image's check; its IOException, or its unchecked failure, as thrown. */
  private static VerificationResult outcome(Future<VerificationResult> future) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    }
  }

  private static void printText(
      PrintWriter out, Path path, VerificationResult result, boolean passed) {
    String verdict = passed ? "OK" : "FAILED";
    out.printf("%s: %s (%d errors, %d warnings)%n", path, verdict, result.errors().size(),
        result.warnings().size());
    for (Finding finding : result.findings()) {
      out.println("  " + line(finding));
    }
  }

  /** One finding as a text line: severity, code, structure, offset, message. */
  static String line(Finding finding) {
    String offset = finding.offset() >= 0 ? String.format(" @0x%x", finding.offset()) : "";
    String severity = finding.severity() == Severity.ERROR ? "error" :
        finding.severity() == Severity.WARNING ? "warning" : "info";
    return String.format("%-7s %s %s%s: %s", severity, finding.code(), finding.structure(), offset,
        finding.message());
  }
}
