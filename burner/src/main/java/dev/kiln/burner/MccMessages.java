package dev.kiln.burner;

import dev.kiln.registers.MccErrorCode;

/**
 * One clear sentence per MCC error code (protocol doc §2.9), naming the cause in the operator's
 * terms, followed by the device's own text. Used for every failed MCC command.
 */
public final class MccMessages {
  private MccMessages() {}

  /** Whether the error is the device refusing the image (exit 1) rather than failing (exit 5). */
  public static boolean isImageRejection(MccErrorCode error) {
    return switch (error) {
      case REJECTED_DIGEST_ERR,
          REJECTED_NOT_APPLICABLE,
          REJECTED_UNKNOWN_KEY,
          REJECTED_AUTH_FAILED,
          REJECTED_UNSIGNED,
          REJECTED_KEY_NOT_APPLICABLE,
          REJECTED_BAD_FORMAT,
          REJECTED_NOT_A_SECURED_FW,
          REJECTED_MFG_BASE_MAC_NOT_LISTED,
          REJECTED_NO_DEBUG_TOKEN,
          REJECTED_VERSION_NUM_MISMATCH,
          REJECTED_FORBIDDEN_VERSION,
          REJECTED_INCOMPATIBLE_FLASH,
          FW_BURN_REJECTED_INVALID_SECURITY_VERSION ->
          true;
      default -> false;
    };
  }

  /** The operator's sentence for an MCC error code. */
  public static String describe(MccErrorCode error) {
    String cause =
        switch (error) {
          case OK -> "no error";
          case ERROR -> "the device refused the command in its current state";
          case REJECTED_DIGEST_ERR ->
              "signature check failed: the image's digest does not match its signature";
          case REJECTED_NOT_APPLICABLE ->
              "wrong device: the image is not for this device (PSID or device id differ)";
          case REJECTED_UNKNOWN_KEY ->
              "untrusted key: the image is signed by a key the device does not trust";
          case REJECTED_AUTH_FAILED -> "signature check failed: the signature does not verify";
          case REJECTED_UNSIGNED -> "unsigned image: the device accepts only signed images";
          case REJECTED_KEY_NOT_APPLICABLE ->
              "signing key not allowed for firmware: the key lacks the right for this component";
          case REJECTED_BAD_FORMAT -> "bad image format: the device could not parse the image";
          case BLOCKED_PENDING_RESET ->
              "an update is already pending a reset: reset the device (kiln device reset) or"
                  + " reactivate the running image (kiln device reactivate) first";
          case REJECTED_NOT_A_SECURED_FW ->
              "not secure firmware: the device accepts only secure-FW images";
          case REJECTED_MFG_BASE_MAC_NOT_LISTED ->
              "debug firmware does not list this device's manufacturing MAC";
          case REJECTED_NO_DEBUG_TOKEN -> "debug firmware needs a debug token on the device";
          case REJECTED_VERSION_NUM_MISMATCH -> "firmware version mismatch";
          case REJECTED_USER_TIMESTAMP_MISMATCH -> "user timestamp mismatch";
          case REJECTED_FORBIDDEN_VERSION ->
              "forbidden version: the device's forbidden-versions list names this version";
          case FLASH_ERASE_ERROR -> "flash error: erasing the inactive partition failed";
          case IMAGE_CAN_NOT_BOOT_FROM_PARTITION -> "the image cannot boot from the partition";
          case REJECTED_HOST_STORAGE_IN_USE -> "device busy: host storage is in use";
          case REJECTED_INCOMPATIBLE_FLASH -> "the image does not support the device's flash";
          case TOKEN_ALREADY_APPLIED -> "the token is already applied";
          case FW_BURN_REJECTED_INVALID_SECURITY_VERSION ->
              "security version rollback: the image's security version is below the device's";
          default -> "the device reported an error";
        };
    String code = error.code() < 0 ? "unknown" : String.format("0x%02x", error.code());
    return String.format("%s (MCC error %s: %s)", cause, code, error.hostText());
  }
}
