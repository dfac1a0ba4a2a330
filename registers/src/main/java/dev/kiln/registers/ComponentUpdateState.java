package dev.kiln.registers;

/** MCQS {@code component_update_state} values (protocol doc §1.6). */
public enum ComponentUpdateState {
  IDLE(0),
  IN_PROGRESS(1),
  APPLIED(2),
  ACTIVE(3),
  ACTIVE_PENDING_RESET(4),
  FAILED(5),
  CANCELED(6),
  BUSY(7);

  private final int code;

  ComponentUpdateState(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The state for a wire value, or null. */
  public static ComponentUpdateState fromCode(int code) {
    for (ComponentUpdateState state : values()) {
      if (state.code == code) {
        return state;
      }
    }
    return null;
  }
}
