package dev.kiln.burner.precheck;

import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.signer.fs4.KeyUuid;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Predicts, before anything is written, every reason a secure device would refuse an image
 * (protocol doc §2.12, the secure-FW rules): targeting (HW device id and PSID), secure firmware,
 * a signature by a trusted key that verifies, forbidden versions, anti-rollback, and the host-side
 * rules of flint (same or older version only when forced; no update while a reset is pending).
 * Kiln adds two host rules of its own: the image must pass {@code kiln verify}'s structural
 * verification, and it must not lock the device out of further updates (its PUBLIC_KEYS, which
 * the device trusts once it runs, must hold a key and the key that signed it; override:
 * {@link Options#allowKeyLockout}).
 *
 * <p>The engine is pure: it takes the image's facts and the device's profile (live or saved) and
 * returns findings with stable codes. {@code kiln burn} refuses on any error; {@code kiln check}
 * reports them.
 */
public final class PreValidator {

  /**
   * Options of one validation.
   *
   * @param allowSameOrOlder accept the same or an older version (flint's prompt, {@code --force})
   * @param extraForbidden versions forbidden by an external feed, on top of the device's list
   * @param allowKeyLockout report the key lock-out findings as warnings instead of refusing
   *     ({@code --allow-key-lockout}: for a deliberate decommissioning or key rotation image)
   */
  public record Options(
      boolean allowSameOrOlder, List<FwVersion> extraForbidden, boolean allowKeyLockout) {
    public Options {
      extraForbidden = List.copyOf(extraForbidden);
    }

    /** Options without the key lock-out override. */
    public Options(boolean allowSameOrOlder, List<FwVersion> extraForbidden) {
      this(allowSameOrOlder, extraForbidden, false);
    }

    /** No force, no feed. */
    public static Options defaults() {
      return new Options(false, List.of());
    }
  }

  /** Validates {@code image} against {@code device}. */
  public PrecheckResult validate(ImageFacts image, DeviceProfile device, Options options) {
    List<Finding> findings = new ArrayList<>();
    checkStructure(image, findings);
    checkTargeting(image, device, findings);
    checkSecurity(image, device, findings);
    findings.addAll(keyLockout(image, options.allowKeyLockout()));
    checkVersions(image, device, options, findings);
    return new PrecheckResult(findings);
  }

  private static void checkStructure(ImageFacts image, List<Finding> out) {
    if (image.structureErrors().isEmpty()) {
      return;
    }
    int more = image.structureErrors().size() - 1;
    out.add(
        Finding.of(
            PrecheckCode.STRUCTURE_INVALID,
            "the image fails structural verification (kiln verify): "
                + image.structureErrors().get(0)
                + (more > 0 ? " (and " + more + " more)" : "")));
  }

  /**
   * The key lock-out rule alone, which depends on the image only: after this image runs, the
   * device trusts exactly the keys of its PUBLIC_KEYS sections. Empty sections leave it trusting
   * no key ({@link PrecheckCode#KEY_LOCKOUT_NO_KEYS}); sections without the key that signed the
   * image refuse the next image signed the same way ({@link
   * PrecheckCode#KEY_LOCKOUT_SIGNER_NOT_TRUSTED}). Nothing is reported when the image's keys could
   * not be read.
   *
   * @param allow report them as warnings (the override) instead of errors
   */
  public static List<Finding> keyLockout(ImageFacts image, boolean allow) {
    if (!image.imageTrustedKeysKnown()) {
      return List.of();
    }
    List<Finding> out = new ArrayList<>();
    PrecheckCode.Severity severity =
        allow ? PrecheckCode.Severity.WARNING : PrecheckCode.Severity.ERROR;
    String tail =
        allow
            ? " (allowed by the key lock-out override)"
            : "; refused unless the key lock-out override (--allow-key-lockout) is given";
    if (image.imageTrustedKeys().isEmpty()) {
      out.add(
          new Finding(
              PrecheckCode.KEY_LOCKOUT_NO_KEYS, severity,
              "key lock-out: the image's PUBLIC_KEYS sections hold no key, so once it runs the"
                  + " device trusts no fw-update key and refuses every later update" + tail));
      return out;
    }
    if (image.signatureKeyUuids().isEmpty()) {
      return out; // UNSIGNED says it; there is no signer to keep trusting
    }
    boolean signerKept = false;
    boolean uuidHeldUnderAnotherKey = false;
    for (String keyUuid : image.signatureKeyUuids()) {
      String uuid = KeyUuid.parse(keyUuid).toString();
      for (TrustedKey key : image.imageTrustedKeys()) {
        if (!key.uuid().equals(uuid)) {
          continue;
        }
        if (!key.hasKey()
            || image.signatures() == null
            || image.signatures().verifies(uuid, key.publicKeyDer())) {
          signerKept = true;
        } else {
          uuidHeldUnderAnotherKey = true;
        }
      }
    }
    if (!signerKept) {
      Set<String> held = new LinkedHashSet<>();
      image.imageTrustedKeys().forEach(key -> held.add(key.uuid()));
      String signers = String.join(", ", image.signatureKeyUuids());
      out.add(
          new Finding(
              PrecheckCode.KEY_LOCKOUT_SIGNER_NOT_TRUSTED, severity,
              "key lock-out: the image is signed by key " + signers
                  + (uuidHeldUnderAnotherKey
                      ? ", but its own PUBLIC_KEYS hold another key under that UUID"
                      : ", which its own PUBLIC_KEYS do not hold (they hold "
                          + String.join(", ", held) + ")")
                  + ", so once it runs the next image signed the same way is refused" + tail));
    }
    return out;
  }

  private static void checkTargeting(ImageFacts image, DeviceProfile device, List<Finding> out) {
    if (!image.psid().equals(device.psid())) {
      out.add(
          Finding.of(
              PrecheckCode.PSID_MISMATCH,
              String.format(
                  "PSID mismatch: the device has %s, the image is for %s",
                  device.psid(), image.psid())));
    }
    if (!image.supportedHwIds().contains(device.hwDeviceId())) {
      out.add(
          Finding.of(
              PrecheckCode.DEVICE_MISMATCH,
              String.format(
                  "wrong device: the device's HW id is 0x%x, the image supports %s",
                  device.hwDeviceId(), hexList(image.supportedHwIds()))));
    }
    // ConnectX-4 / 4 Lx firmware is FS3, later adapters' FS4 (fw_ops.cpp GetFwFormatFromHwDevID);
    // a device cannot parse the other format.
    DeviceType.byHwId(device.hwDeviceId()).map(DeviceType::nativeFormat)
        .filter(format -> format != image.format())
        .ifPresent(format -> out.add(Finding.of(PrecheckCode.FORMAT_MISMATCH, String.format(
            "wrong image format: the device (HW id 0x%x) runs %s images, this is an %s image",
            device.hwDeviceId(), format, image.format()))));
  }

  private static void checkSecurity(ImageFacts image, DeviceProfile device, List<Finding> out) {
    if (!image.mccEnabled() || !image.secureFw()) {
      out.add(
          Finding.of(
              PrecheckCode.NOT_SECURE_FW,
              "the image is not secure firmware"
                  + (image.mccEnabled() ? "" : " (no controlled-update support, mcc_en = 0)")
                  + "; a secure device accepts only secure images"));
    }
    if (image.signatureKeyUuids().isEmpty()) {
      out.add(
          Finding.of(
              PrecheckCode.UNSIGNED,
              "the image is not signed; a secure device accepts only signed images"));
      return;
    }
    if (!device.trustedKeysKnown()) {
      out.add(
          Finding.of(
              PrecheckCode.TRUSTED_KEYS_UNKNOWN,
              "the device profile does not list the trusted keys; signature not checked"));
      return;
    }
    Set<String> trustedUuids = new LinkedHashSet<>();
    device.trustedKeys().forEach(key -> trustedUuids.add(key.uuid()));
    boolean anyTrusted = false;
    for (String keyUuid : image.signatureKeyUuids()) {
      String uuid = KeyUuid.parse(keyUuid).toString();
      for (TrustedKey key : device.trustedKeys()) {
        if (!key.uuid().equals(uuid)) {
          continue;
        }
        anyTrusted = true;
        if (key.hasKey()
            && image.signatures() != null
            && !image.signatures().verifies(uuid, key.publicKeyDer())) {
          out.add(
              Finding.of(
                  PrecheckCode.BAD_SIGNATURE,
                  "the signature by trusted key " + uuid + " does not verify over the image"));
        }
      }
    }
    if (!anyTrusted) {
      out.add(
          Finding.of(
              PrecheckCode.UNTRUSTED_KEY,
              "the image is signed by key(s) "
                  + String.join(", ", image.signatureKeyUuids())
                  + ", which the device does not trust (it trusts "
                  + (trustedUuids.isEmpty() ? "no keys" : String.join(", ", trustedUuids))
                  + ")"));
    }
  }

  private static void checkVersions(
      ImageFacts image, DeviceProfile device, Options options, List<Finding> out) {
    FwVersion version = image.version();
    if (device.forbiddenVersions().contains(version)) {
      out.add(
          Finding.of(
              PrecheckCode.FORBIDDEN_VERSION,
              "version " + version + " is in the device's forbidden-versions list"));
    } else if (options.extraForbidden().contains(version)) {
      out.add(
          Finding.of(
              PrecheckCode.FORBIDDEN_VERSION,
              "version " + version + " is forbidden by the forbidden-versions feed"));
    } else if (!device.forbiddenVersionsKnown()) {
      out.add(
          Finding.of(
              PrecheckCode.FORBIDDEN_VERSIONS_UNKNOWN,
              "the device profile does not list forbidden versions; only the feed was checked"));
    }
    if (image.securityVersion() < device.securityVersion()) {
      out.add(
          Finding.of(
              PrecheckCode.SECURITY_VERSION_ROLLBACK,
              String.format(
                  "security version rollback: the image has security version %d, the device"
                      + " requires at least %d",
                  image.securityVersion(), device.securityVersion())));
    }
    if (device.pendingVersion().isPresent()) {
      out.add(
          Finding.of(
              PrecheckCode.PENDING_RESET,
              "version "
                  + device.pendingVersion().get()
                  + " is already on flash waiting for a reset; reset the device (kiln device"
                  + " reset) or reactivate the running image (kiln device reactivate) first"));
    }
    FwVersion current = device.flashVersion();
    int order = version.compareTo(current);
    if (order <= 0) {
      String what = order == 0 ? "the same as" : "older than";
      if (options.allowSameOrOlder()) {
        out.add(
            Finding.of(
                PrecheckCode.FORCED,
                "version " + version + " is " + what + " " + current + " on flash (forced)"));
      } else {
        out.add(
            Finding.of(
                order == 0 ? PrecheckCode.SAME_VERSION : PrecheckCode.DOWNGRADE,
                "version " + version + " is " + what + " the version on flash (" + current
                    + "); use --force to burn it anyway"));
      }
    }
  }

  private static String hexList(List<Integer> ids) {
    if (ids.isEmpty()) {
      return "no HW ids";
    }
    List<String> hex = new ArrayList<>();
    for (int id : ids) {
      hex.add("0x" + HexFormat.of().toHexDigits((short) id).replaceFirst("^0+(?=.)", ""));
    }
    return String.join(", ", hex);
  }
}
