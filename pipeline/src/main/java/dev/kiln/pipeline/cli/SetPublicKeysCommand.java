package dev.kiln.pipeline.cli;

import dev.kiln.signer.fs4.Fs4ImageSigner;
import dev.kiln.signer.fs4.Fs4ImageSigner.PreparedImage;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code kiln set-public-keys IMAGE KEYS}: mstflint's {@code set_public_keys}, byte-identical,
 * atomic, with every check made before anything is written.
 */
@Command(
    name = "set-public-keys",
    mixinStandardHelpOptions = true,
    description = {
      "Copy a PUBLIC_KEYS section file into an image's PUBLIC_KEYS_2048 or _4096.",
      "Make the file with 'kiln keys pack'. The unkeyed image digest is refreshed unless the"
          + " image counts as signed FW (docs/signing.md), byte-identical to 'mstflint"
          + " set_public_keys'. Replaces IMAGE unless --out is given."
    })
public class SetPublicKeysCommand extends SectionFileCommand {
  @Parameters(index = "1", paramLabel = "KEYS", description = "The PUBLIC_KEYS section file.")
  Path keys;

  @Override
  Path sectionFile() {
    return keys;
  }

  @Override
  String auditName() {
    return "set-public-keys";
  }

  @Override
  PreparedImage prepare(Path input, Path output, byte[] content) throws Exception {
    return Fs4ImageSigner.setPublicKeys(input, output, content);
  }
}
