package dev.kiln.pipeline.cli;

import dev.kiln.signer.fs4.Fs4ImageSigner;
import dev.kiln.signer.fs4.Fs4ImageSigner.PreparedImage;
import java.io.PrintWriter;
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
 * {@code kiln set-public-keys IMAGE KEYS}: mstflint's {@code set_public_keys}, byte-identical,
 * atomic, with every check made before anything is written.
 */
@Command(
    name = "set-public-keys",
    mixinStandardHelpOptions = true,
    description = {
      "Copy a PUBLIC_KEYS section file (see 'kiln keys pack') into PUBLIC_KEYS_2048 or",
      "PUBLIC_KEYS_4096, then refresh the unkeyed image digest when IMAGE_INFO.signed_fw is 0",
      "(byte-identical to 'mstflint set_public_keys'). Replaces IMAGE unless --out is given."
    })
public class SetPublicKeysCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The FS4 image.")
  Path image;

  @Parameters(index = "1", paramLabel = "KEYS", description = "The PUBLIC_KEYS section file.")
  Path keys;

  @Option(names = "--out", paramLabel = "OUT", description = "Write here instead of replacing.")
  Path out;

  @Option(names = "--audit-log", paramLabel = "PATH", description = "Audit log to append to.")
  Path auditLog;

  @Override
  public Integer call() throws Exception {
    SignCommand.requireReadable(image);
    SignCommand.requireReadable(keys);
    Path output = out == null ? image : out;
    SignCommand.requireWritableDirectory(output);
    byte[] content = Files.readAllBytes(keys);
    try (PreparedImage prepared = Fs4ImageSigner.setPublicKeys(image, output, content)) {
      SignCommand.publish(prepared, "set-public-keys", image, output, auditLog, List.of());
      report(spec.commandLine().getOut(), prepared, output);
    }
    return ExitCodes.OK;
  }

  /** The lines both section commands print after a successful update. */
  static void report(PrintWriter out, PreparedImage prepared, Path output) {
    if (prepared.digestUpdated()) {
      out.println("updated the image digest (IMAGE_SIGNATURE_256)");
    } else {
      out.println("warning: the image is signed-fw; sign it again ('kiln sign') before using it");
    }
    out.printf("wrote %s (sha512 %s)%n", output, prepared.sha512After());
  }
}
