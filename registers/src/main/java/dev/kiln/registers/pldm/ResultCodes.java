package dev.kiln.registers.pldm;

import java.util.Locale;

/**
 * The result and response codes of DSP0267 1.1.0 (with the security-revision results of 1.3.0)
 * the update path uses; values as in openbmc/libpldm {@code firmware_update.h}.
 *
 * <ul>
 *   <li>TransferResult of TransferComplete (clause "TransferComplete command"): 0x00 success,
 *       0x01 image corrupt, 0x02 version mismatch, 0x03 FD aborted the transfer, 0x09 timeout,
 *       0x0A generic error, 0x70..0x8F vendor defined;
 *   <li>VerifyResult of VerifyComplete (clause "VerifyComplete command"): 0x00 success, 0x01
 *       verification failure, 0x02 version mismatch, 0x03 failed FD security checks, 0x04 image
 *       incomplete, 0x09 timeout, 0x0A generic error, 0x10 security revision error (1.3.0),
 *       0x90..0xAF vendor defined;
 *   <li>ApplyResult of ApplyComplete (clause "ApplyComplete command"): 0x00 success, 0x01 success
 *       with activation method modified, 0x02 memory write issue, 0x09 timeout, 0x0A generic
 *       error, 0xB0..0xCF vendor defined;
 *   <li>ComponentResponseCode (PassComponentTable) and ComponentCompatibilityResponseCode
 *       (UpdateComponent): 0x00 none / can be updated, 0x01 comparison stamp identical, 0x02
 *       stamp lower, 0x03 invalid stamp, 0x04 conflict, 0x05 prerequisites not met, 0x06 not
 *       supported, 0x07 security restrictions, 0x08 incomplete component image set, 0x09 (UpdateComponent) component information does not match the table, 0x0A
 *       version string identical, 0x0B version string lower, 0xD0..0xEF vendor defined;
 *   <li>AuxStateStatus of GetStatus (clause "GetStatus command"): 0x00 in progress or success,
 *       0x09 timeout, 0x0A generic error, 0x70..0xEF vendor defined.
 * </ul>
 */
public final class ResultCodes {
  private ResultCodes() {}

  public static final int TRANSFER_SUCCESS = 0x00;
  public static final int TRANSFER_IMAGE_CORRUPT = 0x01;
  public static final int TRANSFER_VERSION_MISMATCH = 0x02;
  public static final int TRANSFER_FD_ABORTED = 0x03;

  public static final int VERIFY_SUCCESS = 0x00;
  public static final int VERIFY_VERIFICATION_FAILURE = 0x01;
  public static final int VERIFY_VERSION_MISMATCH = 0x02;
  public static final int VERIFY_FAILED_FD_SECURITY_CHECKS = 0x03;
  public static final int VERIFY_IMAGE_INCOMPLETE = 0x04;
  public static final int VERIFY_SECURITY_REVISION_ERROR = 0x10;

  public static final int APPLY_SUCCESS = 0x00;
  public static final int APPLY_SUCCESS_WITH_ACTIVATION_METHOD = 0x01;
  public static final int APPLY_MEMORY_WRITE_ISSUE = 0x02;

  /** Common to the three results and to AuxStateStatus. */
  public static final int TIMEOUT = 0x09;
  public static final int GENERIC_ERROR = 0x0A;

  public static final int COMPONENT_CAN_BE_UPDATED = 0x00;
  public static final int COMPONENT_STAMP_IDENTICAL = 0x01;
  public static final int COMPONENT_STAMP_LOWER = 0x02;
  public static final int COMPONENT_NOT_SUPPORTED = 0x06;
  public static final int COMPONENT_SECURITY_RESTRICTIONS = 0x07;
  public static final int COMPONENT_VERSION_IDENTICAL = 0x0A;
  public static final int COMPONENT_VERSION_LOWER = 0x0B;
  /** First vendor-defined component (compatibility) response code. */
  public static final int COMPONENT_VENDOR_FIRST = 0xD0;

  /** First vendor-defined AuxStateStatus. */
  public static final int AUX_STATUS_VENDOR_FIRST = 0x70;
  /** Last vendor-defined AuxStateStatus. */
  public static final int AUX_STATUS_VENDOR_LAST = 0xEF;

  /** A VerifyResult as messages print it. */
  public static String verify(int result) {
    return describe(result, switch (result) {
      case VERIFY_SUCCESS -> "success";
      case VERIFY_VERIFICATION_FAILURE -> "verification failure";
      case VERIFY_VERSION_MISMATCH -> "version mismatch";
      case VERIFY_FAILED_FD_SECURITY_CHECKS -> "failed FD security checks";
      case VERIFY_IMAGE_INCOMPLETE -> "image incomplete";
      case VERIFY_SECURITY_REVISION_ERROR -> "security revision error";
      case TIMEOUT -> "timeout";
      case GENERIC_ERROR -> "generic error";
      default -> result >= 0x90 && result <= 0xAF ? "vendor defined" : "unknown";
    });
  }

  /** A TransferResult as messages print it. */
  public static String transfer(int result) {
    return describe(result, switch (result) {
      case TRANSFER_SUCCESS -> "success";
      case TRANSFER_IMAGE_CORRUPT -> "image corrupt";
      case TRANSFER_VERSION_MISMATCH -> "version mismatch";
      case TRANSFER_FD_ABORTED -> "FD aborted the transfer";
      case TIMEOUT -> "timeout";
      case GENERIC_ERROR -> "generic error";
      default -> result >= 0x70 && result <= 0x8F ? "vendor defined" : "unknown";
    });
  }

  /** An ApplyResult as messages print it. */
  public static String apply(int result) {
    return describe(result, switch (result) {
      case APPLY_SUCCESS -> "success";
      case APPLY_SUCCESS_WITH_ACTIVATION_METHOD -> "success, activation method modified";
      case APPLY_MEMORY_WRITE_ISSUE -> "memory write issue";
      case TIMEOUT -> "timeout";
      case GENERIC_ERROR -> "generic error";
      default -> result >= 0xB0 && result <= 0xCF ? "vendor defined" : "unknown";
    });
  }

  private static String describe(int code, String name) {
    return String.format(Locale.ROOT, "0x%02x (%s)", code, name);
  }
}
