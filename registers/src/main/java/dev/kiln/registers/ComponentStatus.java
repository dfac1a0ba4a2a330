package dev.kiln.registers;

/** MCQS {@code component_status} values (protocol doc §1.6). */
public enum ComponentStatus {
  NOT_PRESENT(0),
  PRESENT(1),
  IN_USE(2);

  private final int code;

  ComponentStatus(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The status for a wire value, or null. */
  public static ComponentStatus fromCode(int code) {
    for (ComponentStatus status : values()) {
      if (status.code == code) {
        return status;
      }
    }
    return null;
  }
}
