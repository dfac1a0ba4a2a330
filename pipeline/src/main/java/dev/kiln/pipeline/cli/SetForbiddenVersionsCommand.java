package dev.kiln.pipeline.cli;

import dev.kiln.signer.fs4.Fs4ImageSigner;
import dev.kiln.signer.fs4.Fs4ImageSigner.PreparedImage;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

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
public class SetForbiddenVersionsCommand extends SectionFileCommand {
  @Parameters(index = "1", paramLabel = "FILE", description = "The section file.")
  Path file;

  @Override
  Path sectionFile() {
    return file;
  }

  @Override
  String auditName() {
    return "set-forbidden-versions";
  }

  @Override
  PreparedImage prepare(Path input, Path output, byte[] content) throws Exception {
    return Fs4ImageSigner.setForbiddenVersions(input, output, content);
  }
}
