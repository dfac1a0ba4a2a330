package dev.kiln.registers;

/** Access-register methods (protocol doc §1.1): GET reads, SET writes. */
public enum RegisterMethod {
  GET(1),
  SET(2);

  private final int code;

  RegisterMethod(int code) {
    this.code = code;
  }

  /** The value carried in the operation TLV's method field. */
  public int code() {
    return code;
  }

  /** The method for a wire value, or null when the value names no method. */
  public static RegisterMethod fromCode(int code) {
    for (RegisterMethod method : values()) {
      if (method.code == code) {
        return method;
      }
    }
    return null;
  }
}
