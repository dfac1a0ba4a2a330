package dev.kiln.pipeline.cli;

import dev.kiln.burner.precheck.DeviceProfile;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.packages.ForeignPackage;
import dev.kiln.pipeline.packages.PackageSignature;
import dev.kiln.pipeline.packages.PackageVerification;
import dev.kiln.pipeline.packages.PackagedImage;
import dev.kiln.pipeline.report.CheckFinding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code kiln check MFA2-OR-FWPKG (--device DEV | --target PROFILE) [--trust KEY]}: reads the
 * package once (malformed: exit 3), verifies its detached signature when keys are given (not
 * verified: exit 1), and picks the image the device's own update path would take from it ({@link
 * ForeignPackage#imageFor}: by PSID as the kernel does for MFA2, by descriptors as OpenBMC does for
 * DSP0267), which {@link CheckCommand} then checks. No image for the device is a refusal (exit 1).
 */
final class PackageCheckSupport {
  private PackageCheckSupport() {}

  static ForeignPackage open(Path file, List<Path> trust) throws IOException {
    ForeignPackage pkg = ForeignPackage.read(file);
    if (!trust.isEmpty()) {
      Path signatureFile = PackageSignature.fileFor(file);
      PackageVerification verification =
          PackageVerification.verify(pkg, PackageSignature.read(signatureFile), signatureFile,
              TrustedKeys.load(trust));
      if (!verification.verified()) {
        throw new CommandFailure(ExitCodes.CHECK_FAILED, file + ": the package does not verify: "
            + verification.findings().stream().map(CheckFinding::toString)
                .collect(Collectors.joining("; ")));
      }
    }
    return pkg;
  }

  static PackagedImage select(ForeignPackage pkg, DeviceProfile profile) {
    return pkg.imageFor(profile.psid(), profile.hwDeviceId())
        .orElseThrow(() -> new CommandFailure(ExitCodes.CHECK_FAILED,
            pkg.source() + " holds no image for this device (PSID " + profile.psid()
                + ", HW device id 0x"
                + HexFormat.of().toHexDigits(profile.hwDeviceId()).replaceFirst("^0+(?=.)", "")
                + ")"));
  }
}
