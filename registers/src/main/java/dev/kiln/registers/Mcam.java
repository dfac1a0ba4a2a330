package dev.kiln.registers;

import dev.kiln.registers.internal.Prm;
import java.util.Arrays;
import java.util.Collection;

/**
 * MCAM, Management Capabilities Mask (0x907F, 72 bytes): which registers and features a device
 * supports (protocol doc §1.6).
 *
 * <pre>
 * Field                     Bits / bytes
 * access_reg_group          0x00.0-7   (request)
 * feature_group             0x00.16-23
 * mng_access_reg_cap_mask   0x08..0x17 (128-bit big-endian)
 * mng_feature_cap_mask      0x28..0x37 (128-bit big-endian)
 * </pre>
 *
 * <p>Register {@code base + n} of a group is bit n of the 128-bit number: mask byte {@code 15 -
 * n/8}, bit {@code n % 8}. Group g covers {@code 0x9000 + 0x80 g .. +0x7F} (group 0 is
 * 0x9000-0x907F, group 2 is 0x9100-0x917F).
 */
public record Mcam(int accessRegGroup, int featureGroup, byte[] regCapMask, byte[] featureCapMask) {

  public static final int SIZE = 0x48;

  public Mcam {
    Prm.checkField("access_reg_group", accessRegGroup, 8);
    Prm.checkField("feature_group", featureGroup, 8);
    if (regCapMask == null || regCapMask.length != 16) {
      throw new IllegalArgumentException("mng_access_reg_cap_mask is 16 bytes");
    }
    if (featureCapMask == null || featureCapMask.length != 16) {
      throw new IllegalArgumentException("mng_feature_cap_mask is 16 bytes");
    }
    regCapMask = regCapMask.clone();
    featureCapMask = featureCapMask.clone();
  }

  /** The host's GET for one register group (feature group 0). */
  public static Mcam query(int group) {
    return new Mcam(group, 0, new byte[16], new byte[16]);
  }

  /** The first register id of a group. */
  public static int groupBase(int group) {
    return 0x9000 + 0x80 * group;
  }

  /** A reply for {@code group} flagging every register of {@code registerIds} in that group. */
  public static Mcam forRegisters(int group, Collection<Integer> registerIds, byte[] features) {
    byte[] mask = new byte[16];
    int base = groupBase(group);
    for (int id : registerIds) {
      int n = id - base;
      if (n >= 0 && n < 128) {
        mask[15 - n / 8] |= (byte) (1 << (n % 8));
      }
    }
    return new Mcam(group, 0, mask, features);
  }

  /** Whether the mask (of this reply's group) flags {@code registerId}. */
  public boolean supportsRegister(int registerId) {
    int n = registerId - groupBase(accessRegGroup);
    return n >= 0 && n < 128 && (regCapMask[15 - n / 8] >>> (n % 8) & 1) != 0;
  }

  /** Whether feature bit {@code n} is set. */
  public boolean supportsFeature(int n) {
    return n >= 0 && n < 128 && (featureCapMask[15 - n / 8] >>> (n % 8) & 1) != 0;
  }

  @Override
  public byte[] regCapMask() {
    return regCapMask.clone();
  }

  @Override
  public byte[] featureCapMask() {
    return featureCapMask.clone();
  }

  public static Mcam decode(byte[] reg) throws RegisterFormatException {
    Prm.requireLength("MCAM", reg, SIZE);
    return new Mcam(
        (int) Prm.get(reg, 0x00, 0, 8),
        (int) Prm.get(reg, 0x00, 16, 8),
        Arrays.copyOfRange(reg, 0x08, 0x18),
        Arrays.copyOfRange(reg, 0x28, 0x38));
  }

  public byte[] encode() {
    byte[] reg = new byte[SIZE];
    Prm.set(reg, 0x00, 0, 8, accessRegGroup);
    Prm.set(reg, 0x00, 16, 8, featureGroup);
    System.arraycopy(regCapMask, 0, reg, 0x08, 16);
    System.arraycopy(featureCapMask, 0, reg, 0x28, 16);
    return reg;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Mcam that
        && accessRegGroup == that.accessRegGroup
        && featureGroup == that.featureGroup
        && Arrays.equals(regCapMask, that.regCapMask)
        && Arrays.equals(featureCapMask, that.featureCapMask);
  }

  @Override
  public int hashCode() {
    return accessRegGroup * 31 + Arrays.hashCode(regCapMask);
  }

  @Override
  public String toString() {
    return "Mcam[group=" + accessRegGroup + ", regs="
        + java.util.HexFormat.of().formatHex(regCapMask) + "]";
  }
}
