package dev.kiln.registers;

import dev.kiln.registers.internal.Prm;

/**
 * MFSV, Management FW Security Version (0x9115, 48 bytes; protocol doc §1.6, §5.3).
 *
 * <pre>
 * Field               Bits
 * efuses_prog_en      0x00.0
 * fw_sec_ver_stat     0x00.1-2 (0 eFuses equal the running image, 1 eFuses smaller)
 * efuses_prog_method  0x00.3   (0 manual, 1 automatic)
 * img_sec_ver         0x04
 * efuses_sec_ver      0x08
 * </pre>
 */
public record Mfsv(
    boolean efusesProgEn,
    int fwSecVerStat,
    int efusesProgMethod,
    long imgSecVer,
    long efusesSecVer) {

  public static final int SIZE = 0x30;

  public Mfsv {
    Prm.checkField("fw_sec_ver_stat", fwSecVerStat, 2);
    Prm.checkField("efuses_prog_method", efusesProgMethod, 1);
    Prm.checkField("img_sec_ver", imgSecVer, 32);
    Prm.checkField("efuses_sec_ver", efusesSecVer, 32);
  }

  public static Mfsv decode(byte[] reg) throws RegisterFormatException {
    Prm.requireLength("MFSV", reg, SIZE);
    return new Mfsv(
        Prm.flag(reg, 0x00, 0),
        (int) Prm.get(reg, 0x00, 1, 2),
        (int) Prm.get(reg, 0x00, 3, 1),
        Prm.u32(reg, 0x04),
        Prm.u32(reg, 0x08));
  }

  public byte[] encode() {
    byte[] reg = new byte[SIZE];
    Prm.setFlag(reg, 0x00, 0, efusesProgEn);
    Prm.set(reg, 0x00, 1, 2, fwSecVerStat);
    Prm.set(reg, 0x00, 3, 1, efusesProgMethod);
    Prm.putU32(reg, 0x04, imgSecVer);
    Prm.putU32(reg, 0x08, efusesSecVer);
    return reg;
  }
}
