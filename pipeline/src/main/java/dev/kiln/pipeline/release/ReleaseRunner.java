package dev.kiln.pipeline.release;

import dev.kiln.inspector.io.AtomicFiles;
import dev.kiln.signer.audit.AuditLog;
import dev.kiln.signer.audit.AuditRecord;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Runs stages in order over one context, printing each, stopping at the first failure with the
 * stage named, and publishing the products only after every stage passed and only when the run
 * is not a dry run.
 */
public final class ReleaseRunner {
  private ReleaseRunner() {}

  /**
   * Runs the stages, then publishes.
   *
   * @throws PipelineException whose message starts with {@code stage NAME failed:}
   */
  public static void run(PipelineContext context, List<Stage> stages) throws PipelineException {
    int index = 0;
    for (Stage stage : stages) {
      index++;
      context.out().printf("[%d/%d] %s%n", index, stages.size(), stage.name());
      context.out().flush();
      try {
        stage.invoke(context);
      } catch (PipelineException e) {
        context.out().printf("[%d/%d] %s FAILED%n", index, stages.size(), stage.name());
        throw new PipelineException(
            e.exitCode(), "stage " + stage.name() + " failed: " + e.getMessage(), e);
      }
    }
    if (context.dryRun()) {
      context.out().printf(
          "dry run: every stage passed; nothing was written (%d file(s) would be published)%n",
          context.products().size());
      return;
    }
    publish(context);
  }

  /** The release's audit log: {@code OUTPUT/NAME.kiln-audit.jsonl}. */
  static AuditLog auditLog(ReleaseDescription description) {
    return new AuditLog(
        description.outputDirectory().toAbsolutePath()
            .resolve(description.name() + AuditLog.DEFAULT_SUFFIX));
  }

  private static void publish(PipelineContext context) throws PipelineException {
    try {
      Files.createDirectories(context.description().outputDirectory());
      // One audit log for the whole release, one record per signed image, written in one append
      // before anything is published: no signed image exists without its record.
      List<AuditRecord> records = new ArrayList<>();
      for (PipelineContext.ReleaseImage image : context.images()) {
        if (image.signing() != null) {
          records.add(image.signing());
        }
      }
      if (!records.isEmpty()) {
        auditLog(context.description()).appendAll(records);
      }
      for (Map.Entry<Path, Path> product : context.orderedProducts()) {
        try {
          Files.move(
              product.getKey(), product.getValue(), StandardCopyOption.REPLACE_EXISTING,
              StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          // The work directory is on another file system: copy next to the target, then rename.
          Path temporary = AtomicFiles.createTemporary(product.getValue(), false);
          try {
            try (java.io.OutputStream out = Files.newOutputStream(temporary)) {
              Files.copy(product.getKey(), out);
            }
            AtomicFiles.replace(temporary, product.getValue());
          } finally {
            Files.deleteIfExists(temporary);
          }
        }
        context.out().printf("wrote %s%n", product.getValue());
      }
    } catch (IOException e) {
      throw new PipelineException(
          3, "cannot publish into " + context.description().outputDirectory() + ": " + e, e);
    }
  }
}
