package dev.kiln.burner.precheck;

import dev.kiln.inspector.UpdateComponent;
import dev.kiln.burner.DeviceException;
import dev.kiln.burner.DeviceInfo;
import dev.kiln.burner.ImageRejectedException;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageFormatException;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.registers.TransportException;
import dev.kiln.signer.fs4.TrustStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds a {@link DeviceProfile} from a live device.
 *
 * <p>The registers tell the identity, versions and eFuse security version. Which keys the device
 * trusts and which versions it forbids are not in any register mstflint reads (MCQI PUBLIC_KEYS and
 * FORBIDDEN_VERSION are named but never requested, protocol doc §1.6); a secure device enforces
 * the PUBLIC_KEYS and FORBIDDEN_VERSIONS sections of its running image, so Kiln can read the
 * running image back through the controlled path (READ_COMPONENT, §2.8) and take them from there:
 * {@code kiln query} and {@code kiln check --device} do by default, {@code kiln burn} only with
 * {@code --read-back} (mstflint never reads back before a burn). When the device does not allow
 * reading (rd_en = 0) or the read-back is off, the profile says so ({@code trustedKeysKnown =
 * false}) and the pre-check warns instead of checking; the device still checks at VERIFY.
 */
public final class DeviceProfiles {
  private DeviceProfiles() {}

  /**
   * The profile of the device behind {@code session}.
   *
   * @param info the device's query result (already obtained)
   * @param readBack read the running image back for its keys and forbidden versions
   */
  public static DeviceProfile of(SecureDevice session, DeviceInfo info, boolean readBack)
      throws DeviceException, TransportException, ImageRejectedException {
    return of(session, info, readBack, BurnProgress.SILENT);
  }

  /**
   * The profile, with {@code progress} receiving the read-back's callbacks (a caller that can be
   * interrupted passes its cancellation checkpoints here).
   */
  public static DeviceProfile of(
      SecureDevice session, DeviceInfo info, boolean readBack, BurnProgress progress)
      throws DeviceException, TransportException, ImageRejectedException {
    List<TrustedKey> keys = new ArrayList<>();
    List<FwVersion> forbidden = new ArrayList<>();
    boolean keysKnown = false;
    boolean forbiddenKnown = false;
    if (readBack && session.bootImage().capabilities().rdEn()) {
      byte[] running = session.readBootImage(false, progress);
      Optional<Fs4Image> image = parse(running, session.uri());
      if (image.isPresent()) {
        for (TrustStore.TrustedKey key : TrustStore.fromImage(image.get()).keys()) {
          if (key.uuid().isPresent()) {
            keys.add(new TrustedKey(key.uuid().get().toString(), key.key().getEncoded()));
          }
        }
        keysKnown = true;
        Optional<List<FwVersion>> versions = ImageFactsReader.forbiddenVersions(image.get());
        if (versions.isPresent()) {
          forbidden.addAll(versions.get());
          forbiddenKnown = true;
        }
      }
    }
    return new DeviceProfile(
        info.deviceName(),
        info.hwDeviceId(),
        info.psid(),
        info.runningVersion(),
        info.pendingVersion(),
        info.efuseSecurityVersion().map(Long::intValue).orElse(0),
        info.secured(),
        keys,
        keysKnown,
        forbidden,
        forbiddenKnown);
  }

  /**
   * Parses a read-back image. The device stores the component as the host sent it, with the
   * 16-byte magic pattern masked to 0xFF (protocol doc §2.6 step 11), so the magic is put back
   * first.
   */
  static Optional<Fs4Image> parse(byte[] bytes, String source) {
    UpdateComponent.restoreMagic(bytes);
    try {
      return Optional.of(ImageParser.parse(bytes, source + " (read back)"));
    } catch (ImageFormatException e) {
      return Optional.empty();
    }
  }
}
