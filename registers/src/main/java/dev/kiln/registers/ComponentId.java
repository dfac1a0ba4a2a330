package dev.kiln.registers;

/** MCQS {@code identifier} values: component types (protocol doc §2.5). */
public enum ComponentId {
  BOOT_IMG(0x1, "Boot image"),
  RUNTIME_IMG(0x2, "RUNTIME_IMAGE"),
  USER_NVCONFIG(0x3, "USER_NVCONFIG"),
  OEM_NVCONFIG(0x4, "OEM_NVCONFIG"),
  MLNX_NVCONFIG(0x5, "MLNX_NVCONFIG"),
  CS_TOKEN(0x6, "CS_TOKEN"),
  DBG_TOKEN(0x7, "DBG_TOKEN"),
  DEV_INFO(0x8, "DEV_INFO"),
  GEARBOX(0xA, "GEARBOX"),
  CONGESTION_CONTROL(0xB, "CONGESTION_CONTROL"),
  LINKX(0xC, "COMPID_LINKX"),
  CRYPTO_TO_COMMISSIONING(0xD, "COMPID_CRYPTO_TO_COMMISSIONING"),
  RMCS_TOKEN(0xE, "COMPID_RMCS_TOKEN"),
  RMDT_TOKEN(0xF, "COMPID_RMDT_TOKEN");

  private final int code;
  private final String hostName;

  ComponentId(int code, String hostName) {
    this.code = code;
    this.hostName = hostName;
  }

  public int code() {
    return code;
  }

  /** The display string mstflint uses, e.g. "Boot image" in "Writing Boot image component". */
  public String hostName() {
    return hostName;
  }

  /** The component for a wire value, or null. */
  public static ComponentId fromCode(int code) {
    for (ComponentId id : values()) {
      if (id.code == code) {
        return id;
      }
    }
    return null;
  }
}
