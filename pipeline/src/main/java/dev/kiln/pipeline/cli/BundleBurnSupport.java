package dev.kiln.pipeline.cli;

import dev.kiln.burner.DeviceException;
import dev.kiln.burner.DeviceInfo;
import dev.kiln.burner.ImageRejectedException;
import dev.kiln.burner.SecureDevice;
import dev.kiln.inspector.section.SectionFormatException;
import dev.kiln.pipeline.bundle.BundleBurn;
import dev.kiln.pipeline.bundle.BundleReader;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.check.CheckedImage;
import dev.kiln.registers.TransportException;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * {@code kiln burn --bundle BUNDLE --trust KEY... [--log LOG]}: verifies the bundle offline,
 * selects the image for the device, then runs the ordinary burn (pre-check, MCC burn, activate,
 * re-query) on exactly the verified bytes, and appends a burn-log record whatever the outcome.
 * The image is read once ({@link CheckedImage}); the log's {@code imageSha512} is of the bytes
 * checked and burnt.
 */
final class BundleBurnSupport {
  private BundleBurnSupport() {}

  static Integer run(BurnCommand command)
      throws IOException, DeviceException, TransportException, SectionFormatException,
          ImageRejectedException {
    CommandLine commandLine = command.spec.commandLine();
    if (command.bundle != null && command.imagePath != null) {
      throw new CommandLine.ParameterException(commandLine, "give IMAGE or --bundle, not both");
    }
    if (command.bundle != null && command.bundleTrust.isEmpty()) {
      throw new CommandLine.ParameterException(
          commandLine, "--bundle needs --trust KEY: an unverified bundle is never burnt");
    }
    if (command.bundle == null && !command.bundleTrust.isEmpty()) {
      throw new CommandLine.ParameterException(commandLine, "--trust goes with --bundle");
    }
    PrintWriter out = commandLine.getOut();
    DeviceInfo before = query(command);
    command.attempt.deviceBefore(before);
    String bundleSha512 = null;
    CheckedImage checked;
    try {
      if (command.bundle != null) {
        SignCommand.requireReadable(command.bundle);
        TrustedKeys trust = TrustedKeys.load(command.bundleTrust);
        BundleBurn.Selection selection;
        try {
          selection =
              BundleBurn.select(command.bundle, trust, before.psid(), before.hwDeviceId());
        } catch (BundleBurn.RefusedException e) {
          log(command, before, before, "n/a", null, "refused", e.getMessage());
          throw new CommandFailure(ExitCodes.CHECK_FAILED, e.getMessage());
        }
        bundleSha512 = selection.bundleSha512();
        if (!command.json) {
          out.printf("Bundle %s verified; selected %s (FW %s) for PSID %s%n", command.bundle,
              selection.entry().path(), selection.entry().fwVersion(), before.psid());
        }
        // The verified bytes stay in this process: checked, burnt and hashed from one array,
        // never written to a file that another process could change before it is read back.
        checked =
            CheckedImage.of(selection.image(), command.bundle + "!" + selection.entry().path());
      } else {
        checked = CheckedImage.read(command.imagePath);
      }
      command.candidate = checked;
      String imageSha512 = checked.sha512Hex();
      int exitCode;
      try {
        exitCode = command.burnImage();
      } catch (CommandFailure e) {
        log(command, before, before, imageSha512, bundleSha512,
            e.exitCode() == ExitCodes.CHECK_FAILED ? "refused" : "failed", e.getMessage());
        throw e;
      } catch (DeviceException | TransportException | ImageRejectedException e) {
        log(command, before, before, imageSha512, bundleSha512, "failed", e.getMessage());
        throw e;
      }
      DeviceInfo after = query(command);
      log(command, before, after, imageSha512, bundleSha512, "ok", "");
      return exitCode;
    } finally {
      command.candidate = null;
    }
  }

  private static DeviceInfo query(BurnCommand command)
      throws DeviceException, TransportException {
    try (SecureDevice session = command.device.open()) {
      return session.query();
    }
  }

  private static void log(
      BurnCommand command, DeviceInfo before, DeviceInfo after, String imageSha512,
      String bundleSha512, String result, String detail) {
    // One record per attempt, written through the attempt (BurnAttempt), which also records the
    // failures that leave this method by an exception.
    command.attempt.deviceBefore(before);
    command.attempt.image(imageSha512, bundleSha512);
    command.attempt.record(after, result, detail);
  }
}
