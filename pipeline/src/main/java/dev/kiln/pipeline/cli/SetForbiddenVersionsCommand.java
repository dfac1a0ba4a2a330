package dev.kiln.pipeline.cli;

import dev.kiln.signer.fs4.Fs4ImageSigner;
import dev.kiln.signer.fs4.Fs4ImageSigner.PreparedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln set-forbidden-versions IMAGE FILE}: mstflint's {@code set_forbidden_versions},
 * byte-identical, atomic, with every check made before anything is written.
 */
@Command(
    name = "set-forbidden-versions",
    mixinStandardHelpOptions = true,
    description = {
      "Copy a FORBIDDEN_VERSIONS section file (Kiln layout KFV1, see 'kiln keys forbidden')",
      "into the image, then refresh the unkeyed digest when IMAGE_INFO.signed_fw is 0",
      "(byte-identical to 'mstflint set_forbidden_versions'). Replaces IMAGE unless --out."
    })
public class SetForbiddenVersionsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The FS4 image.")
  Path image;

  @Parameters(index = "1", paramLabel = "FILE", description = "The section file.")
  Path file;

  @Option(names = "--out", paramLabel = "OUT", description = "Write here instead of replacing.")
  Path out;

  @Option(names = "--audit-log", paramLabel = "PATH", description = "Audit log to append to.")
  Path auditLog;

  @Override
  public Integer call() throws Exception {
    SignCommand.requireReadable(image);
    SignCommand.requireReadable(file);
    Path output = out == null ? image : out;
    SignCommand.requireWritableDirectory(output);
    byte[] content = Files.readAllBytes(file);
    try (PreparedImage prepared = Fs4ImageSigner.setForbiddenVersions(image, output, content)) {
      SignCommand.publish(prepared, "set-forbidden-versions", image, output, auditLog, List.of());
      SetPublicKeysCommand.report(spec.commandLine().getOut(), prepared, output);
    }
    return ExitCodes.OK;
  }
}
