package dev.kiln.registers;

/** MCC {@code instruction} values (protocol doc §2.2). QUERY is sent as a GET, all others as SET. */
public enum MccInstruction {
  QUERY(0x0),
  LOCK_UPDATE_HANDLE(0x1),
  RELEASE_UPDATE_HANDLE(0x2),
  UPDATE_COMPONENT(0x3),
  VERIFY_COMPONENT(0x4),
  ACTIVATE_COMPONENT(0x5),
  /** mstflint calls it ACTIVATE_ALL. */
  ACTIVATE(0x6),
  READ_COMPONENT(0x7),
  CANCEL(0x8),
  CHECK_UPDATE_HANDLE(0x9),
  FORCE_HANDLE_RELEASE(0xA),
  READ_PENDING_COMPONENT(0xB),
  DOWNSTREAM_DEVICE_TRANSFER(0xC);

  private final int code;

  MccInstruction(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The instruction for a wire value, or null. */
  public static MccInstruction fromCode(int code) {
    for (MccInstruction instruction : values()) {
      if (instruction.code == code) {
        return instruction;
      }
    }
    return null;
  }
}
