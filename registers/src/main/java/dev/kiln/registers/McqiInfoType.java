package dev.kiln.registers;

/**
 * MCQI {@code info_type} values (protocol doc §1.6). PUBLIC_KEYS and FORBIDDEN_VERSION are named
 * by mstflint but never requested; their layouts are not public.
 */
public enum McqiInfoType {
  CAPABILITIES(0),
  VERSION(1),
  PUBLIC_KEYS(2),
  FORBIDDEN_VERSION(3),
  ACTIVATION_METHOD(5),
  LINKX_PROPERTIES(6);

  private final int code;

  McqiInfoType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The info type for a wire value, or null. */
  public static McqiInfoType fromCode(int code) {
    for (McqiInfoType type : values()) {
      if (type.code == code) {
        return type;
      }
    }
    return null;
  }
}
