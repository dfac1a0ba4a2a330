package dev.kiln.registers;

import dev.kiln.registers.internal.Prm;

/**
 * MIRC, Management Image Re-activation Control (0x9162, 8 bytes; protocol doc §4.3). SET starts the
 * reactivation of the previous image; GET reports its status.
 *
 * <pre>
 * Field         Bits
 * status_code   0x00.0-7 ({@link MircStatus})
 * </pre>
 */
public record Mirc(int statusCode) {

  public static final int SIZE = 0x08;

  public Mirc {
    Prm.checkField("status_code", statusCode, 8);
  }

  public MircStatus status() {
    return MircStatus.fromCode(statusCode);
  }

  public static Mirc decode(byte[] reg) throws RegisterFormatException {
    Prm.requireLength("MIRC", reg, SIZE);
    return new Mirc((int) Prm.get(reg, 0x00, 0, 8));
  }

  public byte[] encode() {
    byte[] reg = new byte[SIZE];
    Prm.set(reg, 0x00, 0, 8, statusCode);
    return reg;
  }
}
