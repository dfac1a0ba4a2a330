package dev.kiln.registers;

/**
 * MCC {@code error_code} values (protocol doc §2.9) with mstflint's text ({@code getLastErrMsg})
 * and the Linux driver's text. flint prints the mstflint text as {@code -E- Burning FS4 image
 * failed: <text>}. Codes mstflint 4.21 has no text for map to "GENERAL ERROR".
 */
public enum MccErrorCode {
  OK(0x00, "OK", null),
  ERROR(0x01, "MCC error", "general error"),
  REJECTED_DIGEST_ERR(0x02, "The Digest in the signature is wrong", "component hash mismatch"),
  REJECTED_NOT_APPLICABLE(0x03, "Component is not applicable", "component not applicable"),
  /** mstflint has no own text here; it shows the register-status string or GENERAL ERROR. */
  REJECTED_UNKNOWN_KEY(0x04, "GENERAL ERROR", "unknown key"),
  REJECTED_AUTH_FAILED(0x05, "Rejected authentication", "authentication failed"),
  REJECTED_UNSIGNED(0x06, "The component is not signed", "component was not signed"),
  REJECTED_KEY_NOT_APPLICABLE(0x07, "The key is not applicable", "key not applicable"),
  /** mstflint has no own text here (as for 0x04). */
  REJECTED_BAD_FORMAT(0x08, "GENERAL ERROR", "bad format"),
  BLOCKED_PENDING_RESET(
      0x09, "The firmware image was already updated on flash, pending reset.", "pending reset"),
  REJECTED_NOT_A_SECURED_FW(0x0A, "The firmware image is not secured", null),
  REJECTED_MFG_BASE_MAC_NOT_LISTED(0x0B, "The manufacturing base MAC was not listed", null),
  REJECTED_NO_DEBUG_TOKEN(0x0C, "There is no Debug Token installed", null),
  REJECTED_VERSION_NUM_MISMATCH(0x0D, "Firmware version mismatch", null),
  REJECTED_USER_TIMESTAMP_MISMATCH(0x0E, "User timestamp mismatch", null),
  REJECTED_FORBIDDEN_VERSION(0x0F, "Forbidden version rejected", null),
  FLASH_ERASE_ERROR(0x10, "Error while erasing the flash", null),
  /** 4.21 name; the PRM and v4.36 call it REBURN_RUNNING_AND_RETRY. */
  IMAGE_CAN_NOT_BOOT_FROM_PARTITION(0x11, "Image cannot boot from partition.", null),
  REJECTED_LINKX_TYPE_NOT_SUPPORTED(0x12, "LinkX type not supported", null),
  REJECTED_HOST_STORAGE_IN_USE(0x13, "Host storage is in use", null),
  REJECTED_LINKX_TRANSFER(0x14, "LinkX downstream transfer failed", null),
  REJECTED_LINKX_ACTIVATE(0x15, "LinkX activation failed", null),
  REJECTED_INCOMPATIBLE_FLASH(0x16, "The image does not support the device's flash type", null),
  /** v4.36 only. */
  TOKEN_ALREADY_APPLIED(0x17, "Token already applied", null),
  /** v4.36 only: anti-rollback on the device (security version below the eFuses). */
  FW_BURN_REJECTED_INVALID_SECURITY_VERSION(
      0x19, "FW burn rejected: Invalid security version", null),
  /** Any code not listed. */
  UNKNOWN(-1, "GENERAL ERROR", "unknown error");

  private final int code;
  private final String hostText;
  private final String linuxText;

  MccErrorCode(int code, String hostText, String linuxText) {
    this.code = code;
    this.hostText = hostText;
    this.linuxText = linuxText;
  }

  /** The 8-bit value in MCC {@code error_code}, or -1 for {@link #UNKNOWN}. */
  public int code() {
    return code;
  }

  /** mstflint's text for this error. */
  public String hostText() {
    return hostText;
  }

  /** The Linux mlxfw text (without its "Firmware flash failed: " prefix), or "unknown error". */
  public String linuxText() {
    return linuxText == null ? "unknown error" : linuxText;
  }

  /** The host error value mstflint derives: MCC code + 0x100. */
  public int hostError() {
    return code < 0 ? 0x100 : code + 0x100;
  }

  /** The error for a wire value; {@link #UNKNOWN} for unlisted values. */
  public static MccErrorCode fromCode(int code) {
    for (MccErrorCode error : values()) {
      if (error.code == code) {
        return error;
      }
    }
    return UNKNOWN;
  }
}
