package dev.kiln.registers.pci;

/**
 * Address spaces the VSEC gateway can select (protocol doc §1.4; layout in {@link VsecLayout}).
 * The value goes into bits 15..0 of the gateway's control dword; the device answers in bits 31..29
 * whether it supports it.
 */
public enum AddressSpace {
  ICMD_EXT(0x1),
  CR_SPACE(0x2),
  ICMD(0x3),
  NODNIC_INIT_SEG(0x4),
  EXPANSION_ROM(0x5),
  ND_CR_SPACE(0x6),
  SCAN_CR_SPACE(0x7),
  SEMAPHORE(0xA),
  MAC(0xF);

  private final int code;

  AddressSpace(int code) {
    this.code = code;
  }

  /** The value written into the control dword to select this space. */
  public int code() {
    return code;
  }

  /** The space for a control-dword value, or null when the value names none. */
  public static AddressSpace fromCode(int code) {
    for (AddressSpace space : values()) {
      if (space.code == code) {
        return space;
      }
    }
    return null;
  }
}
