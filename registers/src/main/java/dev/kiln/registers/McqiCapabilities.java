package dev.kiln.registers;

import dev.kiln.registers.internal.Prm;

/**
 * MCQI info set CAPABILITIES (info_type 0), 20 bytes; offsets relative to MCQI {@code data}
 * (protocol doc §1.6).
 *
 * <pre>
 * Field                    Bits
 * supported_info_bitmask   +0x00.0-31 (bit n = info_type n)
 * component_size           +0x04      (current size; 0 = unknown)
 * max_component_size       +0x08
 * mcda_max_write_size      +0x0C.0-15
 * log_mcda_word_size       +0x0C.28-31
 * match_base_guid_mac      +0x10.26
 * check_user_timestamp     +0x10.27
 * match_psid               +0x10.28
 * match_chip_id            +0x10.29
 * signed_updates_only      +0x10.30
 * rd_en                    +0x10.31
 * </pre>
 */
public record McqiCapabilities(
    long supportedInfoBitmask,
    long componentSize,
    long maxComponentSize,
    int mcdaMaxWriteSize,
    int logMcdaWordSize,
    boolean matchBaseGuidMac,
    boolean checkUserTimestamp,
    boolean matchPsid,
    boolean matchChipId,
    boolean signedUpdatesOnly,
    boolean rdEn) {

  public static final int SIZE = 0x14;

  public McqiCapabilities {
    Prm.checkField("supported_info_bitmask", supportedInfoBitmask, 32);
    Prm.checkField("component_size", componentSize, 32);
    Prm.checkField("max_component_size", maxComponentSize, 32);
    Prm.checkField("mcda_max_write_size", mcdaMaxWriteSize, 16);
    Prm.checkField("log_mcda_word_size", logMcdaWordSize, 4);
  }

  /** Whether the component answers info type {@code type}. */
  public boolean supports(McqiInfoType type) {
    return (supportedInfoBitmask >>> type.code() & 1) != 0;
  }

  /** Decodes the info set from MCQI data (at least {@link #SIZE} bytes). */
  public static McqiCapabilities decode(byte[] info) throws RegisterFormatException {
    Prm.requireLength("MCQI CAPABILITIES", info, SIZE);
    return new McqiCapabilities(
        Prm.u32(info, 0x00),
        Prm.u32(info, 0x04),
        Prm.u32(info, 0x08),
        (int) Prm.get(info, 0x0C, 0, 16),
        (int) Prm.get(info, 0x0C, 28, 4),
        Prm.flag(info, 0x10, 26),
        Prm.flag(info, 0x10, 27),
        Prm.flag(info, 0x10, 28),
        Prm.flag(info, 0x10, 29),
        Prm.flag(info, 0x10, 30),
        Prm.flag(info, 0x10, 31));
  }

  /** The {@link #SIZE}-byte info set. */
  public byte[] encode() {
    byte[] info = new byte[SIZE];
    Prm.putU32(info, 0x00, supportedInfoBitmask);
    Prm.putU32(info, 0x04, componentSize);
    Prm.putU32(info, 0x08, maxComponentSize);
    Prm.set(info, 0x0C, 0, 16, mcdaMaxWriteSize);
    Prm.set(info, 0x0C, 28, 4, logMcdaWordSize);
    Prm.setFlag(info, 0x10, 26, matchBaseGuidMac);
    Prm.setFlag(info, 0x10, 27, checkUserTimestamp);
    Prm.setFlag(info, 0x10, 28, matchPsid);
    Prm.setFlag(info, 0x10, 29, matchChipId);
    Prm.setFlag(info, 0x10, 30, signedUpdatesOnly);
    Prm.setFlag(info, 0x10, 31, rdEn);
    return info;
  }
}
