package dev.kiln.registers;

/** MIRC {@code status_code} values and flint's texts for them (protocol doc §4.3). */
public enum MircStatus {
  SUCCESS(0, "Success"),
  BUSY(1, "Busy"),
  PROHIBITED_BY_FW_VERSION(2, "Prohibited by current FW version"),
  FIRST_PAGE_COPY_FAILED(3, "First page copy failed"),
  FIRST_PAGE_ERASE_FAILED(4, "First page erase failed"),
  FIRST_PAGE_RESTORE_FAILED(5, "First page restore failed"),
  FW_DEACTIVATION_FAILED(6, "FW deactivation failed"),
  /** An error for mstflint 4.21; Linux treats it as success. */
  ALREADY_REACTIVATED(7, "FW already reactivated"),
  FW_RESET_REQUIRED(8, "FW reset required"),
  FW_PROGRAMMING_NEEDED(9, "FW programming needed"),
  UNKNOWN(-1, "Unknown error occurred");

  private final int code;
  private final String text;

  MircStatus(int code, String text) {
    this.code = code;
    this.text = text;
  }

  public int code() {
    return code;
  }

  /** flint's text, used in {@code Error: <text>.}. */
  public String text() {
    return text;
  }

  /** The status for a wire value; {@link #UNKNOWN} for unlisted values. */
  public static MircStatus fromCode(int code) {
    for (MircStatus status : values()) {
      if (status.code == code) {
        return status;
      }
    }
    return UNKNOWN;
  }
}
