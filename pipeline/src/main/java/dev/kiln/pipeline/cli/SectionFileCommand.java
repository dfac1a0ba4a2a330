package dev.kiln.pipeline.cli;

import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.io.BoundedFiles;
import dev.kiln.signer.fs4.Fs4ImageSigner.PreparedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * What {@code kiln set-public-keys} and {@code kiln set-forbidden-versions} share: copy a section
 * file into an image the way mstflint does, atomically (the engine prepares a patched copy, which
 * is published only when every check passed), audited, and report the digest refresh.
 */
abstract class SectionFileCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The FS4 or FS3 image.")
  Path image;

  @Option(names = "--out", paramLabel = "OUT", description = "Write here instead of replacing.")
  Path out;

  @Option(names = "--audit-log", paramLabel = "PATH", description = "Audit log to append to.")
  Path auditLog;

  /** The section file given on the command line. */
  abstract Path sectionFile();

  /** The command's name in the audit log. */
  abstract String auditName();

  /** Prepares the patched copy of {@code input} at {@code output}. */
  abstract PreparedImage prepare(Path input, Path output, byte[] content) throws Exception;

  @Override
  public Integer call() throws Exception {
    SignCommand.requireReadable(image);
    SignCommand.requireReadable(sectionFile());
    Path output = out == null ? image : out;
    SignCommand.requireWritableDirectory(output);
    // A section is part of an image, so no section file is larger than the largest image.
    byte[] content =
        BoundedFiles.read(sectionFile(), ImageParser.MAX_IMAGE_SIZE, "a section file");
    try (PreparedImage prepared = prepare(image, output, content)) {
      SignCommand.publish(prepared, auditName(), image, output, auditLog, List.of());
      report(spec.commandLine().getOut(), prepared, output);
    }
    return ExitCodes.OK;
  }

  private static void report(PrintWriter out, PreparedImage prepared, Path output) {
    if (prepared.digestUpdated()) {
      out.println("updated the image digest (IMAGE_SIGNATURE_256)");
    } else {
      out.println("warning: the image is signed-fw; sign it again ('kiln sign') before using it");
    }
    out.printf("wrote %s (sha512 %s)%n", output, prepared.sha512After());
  }
}
