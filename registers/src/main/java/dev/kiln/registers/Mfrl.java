package dev.kiln.registers;

import dev.kiln.registers.internal.Prm;

/**
 * MFRL, Management Firmware Reset Level (0x9028, 8 bytes; protocol doc §1.6, §4.2). A GET reports
 * the supported levels and types; a SET with one level bit requests that reset.
 *
 * <pre>
 * Field                          Bits
 * reset_trigger (reset_level)    0x04.0-7   (bit 0 level 0, bit 3 level 3, bit 6 level 4)
 * reset_type                     0x04.8-15  (bit 0 full chip, 1 phy-less, 2 NIC only)
 * rst_type_sel                   0x04.24-26
 * pci_sync_for_fw_update_resp    0x04.27-28
 * pci_sync_for_fw_update_start   0x04.29
 * pci_rescan_required            0x04.31
 * </pre>
 */
public record Mfrl(
    int resetTrigger,
    int resetType,
    int rstTypeSel,
    int pciSyncForFwUpdateResp,
    boolean pciSyncForFwUpdateStart,
    boolean pciRescanRequired) {

  public static final int SIZE = 0x08;
  public static final int LEVEL_0_LIVE_PATCH = 1;
  public static final int LEVEL_3_DRIVER_RESTART = 1 << 3;
  public static final int LEVEL_4_WARM_REBOOT = 1 << 6;

  public Mfrl {
    Prm.checkField("reset_trigger", resetTrigger, 8);
    Prm.checkField("reset_type", resetType, 8);
    Prm.checkField("rst_type_sel", rstTypeSel, 3);
    Prm.checkField("pci_sync_for_fw_update_resp", pciSyncForFwUpdateResp, 2);
  }

  /** A SET requesting one reset level bit. */
  public static Mfrl request(int levelBit) {
    return new Mfrl(levelBit, 0, 0, 0, false, false);
  }

  public static Mfrl decode(byte[] reg) throws RegisterFormatException {
    Prm.requireLength("MFRL", reg, SIZE);
    return new Mfrl(
        (int) Prm.get(reg, 0x04, 0, 8),
        (int) Prm.get(reg, 0x04, 8, 8),
        (int) Prm.get(reg, 0x04, 24, 3),
        (int) Prm.get(reg, 0x04, 27, 2),
        Prm.flag(reg, 0x04, 29),
        Prm.flag(reg, 0x04, 31));
  }

  public byte[] encode() {
    byte[] reg = new byte[SIZE];
    Prm.set(reg, 0x04, 0, 8, resetTrigger);
    Prm.set(reg, 0x04, 8, 8, resetType);
    Prm.set(reg, 0x04, 24, 3, rstTypeSel);
    Prm.set(reg, 0x04, 27, 2, pciSyncForFwUpdateResp);
    Prm.setFlag(reg, 0x04, 29, pciSyncForFwUpdateStart);
    Prm.setFlag(reg, 0x04, 31, pciRescanRequired);
    return reg;
  }
}
