package dev.kiln.pipeline.cli;

import dev.kiln.burner.precheck.DeviceProfile;
import dev.kiln.pipeline.bundle.BundleBurn;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.bundle.VerifiedBundle;
import java.io.IOException;
import picocli.CommandLine;

/**
 * {@code kiln check --bundle BUNDLE --trust KEY (--device DEV | --target PROFILE)}: verifies the
 * bundle offline and picks the image it holds for the target (the selection {@code kiln burn
 * --bundle} and {@code kiln update} make), which {@link CheckCommand} then checks from the
 * verified bytes. A bundle that does not verify, or holds nothing for the target, is a refusal
 * (exit 1) with one {@code kiln:} line.
 */
final class BundleCheckSupport {
  private BundleCheckSupport() {}

  /** Exactly one of IMAGE and --bundle; --bundle with --trust. */
  static void validate(CheckCommand command) {
    CommandLine commandLine = command.spec.commandLine();
    if ((command.image == null) == (command.bundle == null)) {
      throw new CommandLine.ParameterException(commandLine, "give IMAGE or --bundle BUNDLE");
    }
    if (command.bundle != null && command.bundleTrust.isEmpty()) {
      throw new CommandLine.ParameterException(
          commandLine, "--bundle needs --trust KEY: an unverified bundle is never checked");
    }
    if (command.bundle == null && !command.bundleTrust.isEmpty()
        && !BundleCommand.isForeignPackage(command.image)) {
      throw new CommandLine.ParameterException(
          commandLine, "--trust goes with --bundle or an MFA2 or DSP0267 package");
    }
  }

  /** The verified image the bundle holds for {@code profile}'s PSID and HW id. */
  static BundleBurn.Selection select(CheckCommand command, DeviceProfile profile)
      throws IOException {
    SignCommand.requireReadable(command.bundle);
    try {
      VerifiedBundle verified =
          VerifiedBundle.open(command.bundle, TrustedKeys.load(command.bundleTrust));
      return verified
          .select(profile.psid(), profile.hwDeviceId())
          .orElseThrow(
              () ->
                  new CommandFailure(
                      ExitCodes.CHECK_FAILED,
                      verified.noImageFor(profile.psid(), profile.hwDeviceId())));
    } catch (BundleBurn.RefusedException e) {
      throw new CommandFailure(ExitCodes.CHECK_FAILED, e.getMessage());
    }
  }
}
