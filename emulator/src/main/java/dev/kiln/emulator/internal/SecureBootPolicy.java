package dev.kiln.emulator.internal;

import dev.kiln.inspector.ImageFormat;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.ImageInfoFlag;
import dev.kiln.registers.MccErrorCode;
import dev.kiln.signer.fs4.ImageSignatureVerifier;
import dev.kiln.signer.fs4.ImageSigningException;
import dev.kiln.signer.fs4.SignatureReport;
import dev.kiln.signer.fs4.TrustStore;
import java.util.List;

/**
 * The checks a secure-FW device applies to a new BOOT_IMG before accepting it (protocol doc §2.12
 * and the secure-FW rules), in this order; the first failing check decides the MCC error code:
 *
 * <ol>
 *   <li>the component is an image of the device's format (FS4; FS3 on ConnectX-4/4 Lx) with
 *       IMAGE_INFO: else REJECTED_BAD_FORMAT (0x08);
 *   <li>it is meant for this device: its supported HW ids contain the device's HW id and its PSID
 *       equals the device's PSID: else REJECTED_NOT_APPLICABLE (0x03);
 *   <li>it carries an RSA signature: else REJECTED_UNSIGNED (0x06);
 *   <li>the signature's key UUID is one the running image trusts: else REJECTED_UNKNOWN_KEY (0x04);
 *       it verifies: else REJECTED_AUTH_FAILED (0x05), or REJECTED_DIGEST_ERR (0x02) when a trusted
 *       key signed other bytes;
 *   <li>the image is itself secure FW (secure_fw and mcc_en set, public keys present): else
 *       REJECTED_NOT_A_SECURED_FW (0x0A);
 *   <li>its FW version is not in the running image's forbidden list: else
 *       REJECTED_FORBIDDEN_VERSION (0x0F);
 *   <li>its security version is not below the eFuse value: else
 *       FW_BURN_REJECTED_INVALID_SECURITY_VERSION (0x19).
 * </ol>
 */
public final class SecureBootPolicy {

  /** The verdict: {@link MccErrorCode#OK} or the rejection with a sentence for logs. */
  public record Verdict(MccErrorCode error, String reason) {
    public boolean accepted() {
      return error == MccErrorCode.OK;
    }
  }

  /** What the device holds while checking. */
  public record DeviceFacts(
      int hwDevId,
      String psid,
      TrustStore trust,
      ForbiddenVersions forbidden,
      long efuseSecurityVersion) {}

  private SecureBootPolicy() {}

  /** Checks an already parsed candidate. */
  public static Verdict check(ImageFacts candidate, DeviceFacts device) {
    ImageFormat format = DeviceType.byHwId(device.hwDevId()).map(DeviceType::nativeFormat)
        .orElse(ImageFormat.FS4);
    if (candidate.image().format() != format) {
      return new Verdict(MccErrorCode.REJECTED_BAD_FORMAT, String.format(
          "image is %s, this device runs %s images", candidate.image().format(), format));
    }
    if (candidate.info().isEmpty()) {
      return new Verdict(MccErrorCode.REJECTED_BAD_FORMAT, "image has no readable IMAGE_INFO");
    }
    if (!candidate.supportsHwId(device.hwDevId())) {
      return new Verdict(
          MccErrorCode.REJECTED_NOT_APPLICABLE,
          String.format(
              "image supports HW ids %s, device is 0x%X",
              hex(candidate.info().get().supportedHwIds()), device.hwDevId()));
    }
    if (!candidate.psid().equals(device.psid())) {
      return new Verdict(
          MccErrorCode.REJECTED_NOT_APPLICABLE,
          "image PSID " + candidate.psid() + " differs from device PSID " + device.psid());
    }
    Verdict signature = checkSignature(candidate, device.trust());
    if (!signature.accepted()) {
      return signature;
    }
    if (!candidate.has(ImageInfoFlag.SECURE_FW)
        || !candidate.has(ImageInfoFlag.MCC_EN)
        || !candidate.hasPublicKeys()) {
      return new Verdict(
          MccErrorCode.REJECTED_NOT_A_SECURED_FW,
          "image is not secure FW (needs secure_fw, mcc_en and public keys)");
    }
    if (device.forbidden().forbids(candidate.version())) {
      return new Verdict(
          MccErrorCode.REJECTED_FORBIDDEN_VERSION,
          "version " + candidate.version() + " is forbidden by the running image");
    }
    if (candidate.securityVersion() < device.efuseSecurityVersion()) {
      return new Verdict(
          MccErrorCode.FW_BURN_REJECTED_INVALID_SECURITY_VERSION,
          "image security version "
              + candidate.securityVersion()
              + " is below the eFuse security version "
              + device.efuseSecurityVersion());
    }
    return new Verdict(MccErrorCode.OK, "accepted");
  }

  /** The signature part of {@link #check} alone (also used at boot). */
  public static Verdict checkSignature(ImageFacts candidate, TrustStore trust) {
    SignatureReport report;
    try {
      report = ImageSignatureVerifier.verify(candidate.image(), trust);
    } catch (ImageSigningException | RuntimeException e) {
      return new Verdict(MccErrorCode.REJECTED_BAD_FORMAT, "signature layout: " + e.getMessage());
    }
    if (!report.isSigned()) {
      return new Verdict(MccErrorCode.REJECTED_UNSIGNED, "image carries no RSA signature");
    }
    if (report.passes()) {
      return new Verdict(MccErrorCode.OK, "signature verified");
    }
    for (SignatureReport.Entry entry : report.entries()) {
      switch (entry.status()) {
        case UNKNOWN_KEY:
          return new Verdict(MccErrorCode.REJECTED_UNKNOWN_KEY, entry.detail());
        case NOT_COVERING:
        case DIGEST_MISMATCH:
          return new Verdict(MccErrorCode.REJECTED_DIGEST_ERR, entry.detail());
        case BAD_SIGNATURE:
          return new Verdict(MccErrorCode.REJECTED_AUTH_FAILED, entry.detail());
        default:
          break;
      }
    }
    return new Verdict(MccErrorCode.REJECTED_AUTH_FAILED, "signature does not verify");
  }

  private static String hex(List<Integer> ids) {
    StringBuilder out = new StringBuilder("[");
    for (int id : ids) {
      if (id != 0) {
        out.append(out.length() > 1 ? ", " : "").append("0x").append(Integer.toHexString(id));
      }
    }
    return out.append(']').toString();
  }
}
