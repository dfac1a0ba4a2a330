package dev.kiln.registers;

/**
 * Register status codes carried in the operation TLV (protocol doc §1.3), with the error value and
 * text mstflint's host library gives each one. The device writes the status; the payload comes
 * back whatever the status is.
 *
 * <p>{@link #RES_NOT_AVLBL} (0x08) means "not now, retry" to every host: a device must never use it
 * for a real rejection.
 */
public enum RegisterStatus {
  OK(0x00, 0x000, "OK"),
  DEV_BUSY(0x01, 0x103, "Device is busy"),
  VER_NOT_SUPP(0x02, 0x104, "Version not supported"),
  UNKNOWN_TLV(0x03, 0x105, "Unknown TLV"),
  REG_NOT_SUPP(0x04, 0x106, "Register not supported"),
  CLASS_NOT_SUPP(0x05, 0x107, "Class not supported"),
  METHOD_NOT_SUPP(0x06, 0x108, "Method not supported"),
  BAD_PARAM(0x07, 0x109, "Bad parameter"),
  RES_NOT_AVLBL(0x08, 0x10A, "Resource unavailable"),
  MSG_RECPT_ACK(0x09, 0x10B, "Message receipt ack"),
  BAD_CONFIG(0x20, 0x10F, "The configuration is rejected"),
  ERASE_EXCEEDED(0x21, 0x110, "The erase count exceeds its limit"),
  CONF_CORRUPT(0x22, 0x10D, "Config Section Corrupted"),
  LEN_TOO_SMALL(0x24, 0x10E, "The given Register length is too small for the Tlv"),
  INTERNAL_ERROR(0x70, 0x111, "Firmware internal error"),
  /** Any status value not listed above. */
  UNKNOWN_ERR(-1, 0x10C, "Unknown register error");

  private final int code;
  private final int hostError;
  private final String text;

  RegisterStatus(int code, int hostError, String text) {
    this.code = code;
    this.hostError = hostError;
    this.text = text;
  }

  /** The 7-bit value in the operation TLV, or -1 for {@link #UNKNOWN_ERR}. */
  public int code() {
    return code;
  }

  /** mstflint's {@code ME_REG_ACCESS_*} value for this status (0 for OK). */
  public int hostError() {
    return hostError;
  }

  /** The host's text for this status, as {@code reg_access_err2str} words it. */
  public String text() {
    return text;
  }

  /** The status for a wire value; {@link #UNKNOWN_ERR} for any value not in the table. */
  public static RegisterStatus fromCode(int code) {
    for (RegisterStatus status : values()) {
      if (status.code == code) {
        return status;
      }
    }
    return UNKNOWN_ERR;
  }
}
