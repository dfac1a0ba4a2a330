package dev.kiln.pipeline.cli;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageVerifier;
import dev.kiln.inspector.VerificationResult;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln verify IMAGE... [--json]}: structural verification of one or more FS4 images in one
 * process. Exit 0 when every image passes, 1 when any fails a check, 3 when any cannot be read
 * (3 wins over 1, because an unread image has not been verified at all). The work itself is in
 * {@link ImageVerification}, which {@link QuickCommands} also runs without picocli.
 *
 * <p>Extension point: {@link #check(Fs4Image)} produces the result for one parsed image; later
 * checks (signatures against a trust store) add their findings there.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Verify FS4 and FS3 images: every check of 'mstflint verify', and more.",
      "CRCs, pointers, magic, format version, ITOC/DTOC, DEV_INFO/MFG_INFO, plus overlapping and"
          + " out-of-bounds sections, unknown section types and undefined CRC modes. Exit 0 when"
          + " all pass, 1 when any fails, 3 when any cannot be read."
    })
public class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "0..*", paramLabel = "IMAGE", description = "FS4 or FS3 image files.")
  List<Path> images;

  // Burner: verify the BOOT image read back from a device instead of files.
  @picocli.CommandLine.ArgGroup(exclusive = false)
  DeviceOptions device;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Option(names = "--warnings-as-errors", description = "Fail on warnings too.")
  boolean warningsAsErrors;

  // Signer: --trust KEYS... / --trust-image-keys / --require-signed (signature findings).
  @picocli.CommandLine.Mixin SignatureTrustOptions signatureTrust = new SignatureTrustOptions();

  @Override
  public Integer call() {
    if (device != null) {
      return DeviceVerification.run(
          spec, device.uri(), device, json, warningsAsErrors, this::check);
    }
    if (images == null || images.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "Missing IMAGE (or --device DEV)");
    }
    return ImageVerification.run(
        spec.commandLine().getOut(),
        spec.commandLine().getErr(),
        images,
        json,
        warningsAsErrors,
        this::check);
  }

  /**
   * The verification result for one parsed image: structural verification. Subclasses or later
   * options add further findings with {@link VerificationResult#withFindings}.
   */
  protected VerificationResult check(Fs4Image image) {
    return signatureTrust.apply(image, ImageVerifier.verify(image));
  }
}
