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
      "Copy a FORBIDDEN_VERSIONS section file into an image.",
      "The file is in Kiln's layout KFV1 (see 'kiln keys forbidden'). The unkeyed digest is"
          + " refreshed unless the image counts as signed FW (docs/signing.md), byte-identical to"
          + " 'mstflint set_forbidden_versions'. Replaces IMAGE unless --out is given."
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
