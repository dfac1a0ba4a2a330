package dev.kiln.registers;

/** MCC {@code control_state} values (protocol doc §2.3). */
public enum FsmState {
  IDLE(0),
  LOCKED(1),
  INITIALIZE(2),
  DOWNLOAD(3),
  VERIFY(4),
  APPLY(5),
  ACTIVATE(6),
  UPLOAD(7),
  UPLOAD_PENDING(8),
  DOWNSTREAM_DEVICE_TRANSFER(9);

  private final int code;

  FsmState(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** mstflint's progress label, e.g. {@code FSMST_INITIALIZE}. */
  public String hostLabel() {
    return "FSMST_" + name();
  }

  /** The state for a wire value, or null. */
  public static FsmState fromCode(int code) {
    for (FsmState state : values()) {
      if (state.code == code) {
        return state;
      }
    }
    return null;
  }
}
