package dev.kiln.pipeline.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.UpdateComponent;
import dev.kiln.burner.DeviceException;
import dev.kiln.burner.DeviceUri;
import dev.kiln.burner.ImageRejectedException;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.inspector.Finding;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageFormatException;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.VerificationResult;
import dev.kiln.pipeline.cli.json.ImageJson;
import dev.kiln.registers.TransportException;
import java.io.PrintWriter;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code kiln verify --device DEV}: reads the BOOT image back through the controlled path (LOCK,
 * READ_PENDING_COMPONENT or READ_COMPONENT, MCDA GETs, RELEASE; protocol doc §2.8) and runs the
 * same checks {@code kiln verify IMAGE} runs on a file. That is all a secure device lets a host
 * verify ("partially, BOOT image"): device data and anything outside the component are not read.
 */
final class DeviceVerification {
  private DeviceVerification() {}

  static int run(
      CommandSpec spec,
      DeviceUri uri,
      DeviceOptions options,
      boolean json,
      boolean warningsAsErrors,
      Function<Fs4Image, VerificationResult> check) {
    PrintWriter out = spec.commandLine().getOut();
    byte[] image;
    try (SecureDevice session = options.open()) {
      image = session.readBootImage(true, BurnProgress.SILENT);
    } catch (DeviceException | TransportException | ImageRejectedException e) {
      throw new CommandFailure(ExitCodes.DEVICE, e.getMessage(), e);
    }
    // The device keeps the component as burnt, with the magic pattern masked (§2.6 step 11).
    UpdateComponent.restoreMagic(image);
    String source = uri.text() + " (BOOT image read back)";
    VerificationResult result;
    try {
      result = check.apply(ImageParser.parse(image, source));
    } catch (ImageFormatException e) {
      throw new CommandFailure(
          ExitCodes.CHECK_FAILED, source + " is not a valid FS4 image: " + e.getMessage(), e);
    }
    boolean passed = result.passed(warningsAsErrors);
    if (json) {
      ObjectNode root = ImageJson.object();
      root.put("device", uri.text());
      root.put("bytesRead", image.length);
      root.put("passed", passed);
      root.put("errors", result.errors().size());
      root.put("warnings", result.warnings().size());
      root.set("findings", ImageJson.findings(result.findings()));
      out.println(ImageJson.render(root));
    } else {
      out.printf(
          "%s: %s (%d bytes read back; %d errors, %d warnings)%n",
          source, passed ? "OK" : "FAILED", image.length, result.errors().size(),
          result.warnings().size());
      for (Finding finding : result.findings()) {
        out.println("  " + ImageVerification.line(finding));
      }
    }
    return passed ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
  }
}
