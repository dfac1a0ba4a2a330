package dev.kiln.pipeline.bundle;

import dev.kiln.pipeline.report.CheckFinding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A release bundle read once and verified with the trusted keys, from which images are then
 * selected device by device ({@code kiln update} serves many devices from one verification; {@code
 * kiln burn --bundle} and {@code kiln check --bundle} one). An unverified bundle never yields one.
 */
public final class VerifiedBundle {
  private final Path path;
  private final BundleVerification verification;
  private final String sha512;

  private VerifiedBundle(Path path, BundleVerification verification, String sha512) {
    this.path = path;
    this.verification = verification;
    this.sha512 = sha512;
  }

  /**
   * Reads and verifies {@code bundle}.
   *
   * @throws IOException if it cannot be read at all
   * @throws BundleBurn.RefusedException if it does not verify with {@code trust}
   */
  public static VerifiedBundle open(Path bundle, TrustedKeys trust)
      throws IOException, BundleBurn.RefusedException {
    byte[] bytes = BundleReader.readBundle(bundle);
    BundleVerification verification =
        BundleReader.named(bundle, () -> BundleReader.verify(bytes, trust));
    if (!verification.verified()) {
      throw new BundleBurn.RefusedException(
          bundle + ": the bundle does not verify, nothing was burnt: "
              + verification.findings().stream().map(CheckFinding::toString)
                  .collect(Collectors.joining("; ")));
    }
    return new VerifiedBundle(bundle, verification, BundleReader.sha512Hex(bytes));
  }

  /** The bundle file as the user named it. */
  public Path path() {
    return path;
  }

  /** Lower-case hex SHA-512 of the bundle file as read. */
  public String sha512() {
    return sha512;
  }

  /** The image for a device (same PSID and HW id, highest version), if the bundle has one. */
  public Optional<BundleBurn.Selection> select(String psid, int hwDeviceId) {
    return verification
        .select(psid, hwDeviceId)
        .map(entry -> new BundleBurn.Selection(entry, verification.imageBytes(entry), sha512));
  }

  /** Why {@link #select} found nothing, in one sentence. */
  public String noImageFor(String psid, int hwDeviceId) {
    return path + " holds no image for this device (PSID " + psid + ", HW device id 0x"
        + HexFormat.of().toHexDigits(hwDeviceId).replaceFirst("^0+(?=.)", "") + ")";
  }
}
