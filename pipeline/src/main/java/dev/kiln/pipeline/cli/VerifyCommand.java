package dev.kiln.pipeline.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.Finding;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.ImageVerifier;
import dev.kiln.inspector.Severity;
import dev.kiln.inspector.VerificationResult;
import dev.kiln.pipeline.cli.json.ImageJson;
import java.io.IOException;
import java.io.PrintWriter;
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
 * (3 wins over 1, because an unread image has not been verified at all).
 *
 * <p>Extension point: {@link #check(Fs4Image)} produces the result for one parsed image; later
 * checks (signatures against a trust store) add their findings there.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Verify FS4 images: every check of 'mstflint verify', and more.",
      "CRCs, pointers, magic, format version, ITOC/DTOC, DEV_INFO/MFG_INFO, plus overlapping and",
      "out-of-bounds sections, unknown section types and undefined CRC modes.",
      "Exit 0 when all pass, 1 when any fails, 3 when any cannot be read."
    })
public class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "0..*", paramLabel = "IMAGE", description = "FS4 image files.")
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
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ArrayNode results = ImageJson.array();
    boolean anyFailed = false;
    boolean anyUnreadable = false;
    for (Path path : images) {
      ObjectNode node = ImageJson.object();
      node.put("image", path.toString());
      VerificationResult result;
      try {
        result = check(ImageParser.parse(path));
      } catch (IOException e) {
        anyUnreadable = true;
        String message = ParseErrors.describe(path, e);
        node.put("readable", false);
        node.put("error", message);
        results.add(node);
        err.println("kiln: " + message);
        continue;
      }
      boolean passed = result.passed(warningsAsErrors);
      anyFailed |= !passed;
      node.put("readable", true);
      node.put("passed", passed);
      node.put("errors", result.errors().size());
      node.put("warnings", result.warnings().size());
      node.set("findings", ImageJson.findings(result.findings()));
      results.add(node);
      if (!json) {
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
   * The verification result for one parsed image: structural verification. Subclasses or later
   * options add further findings with {@link VerificationResult#withFindings}.
   */
  protected VerificationResult check(Fs4Image image) {
    return signatureTrust.apply(image, ImageVerifier.verify(image));
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
