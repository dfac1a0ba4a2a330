package dev.kiln.registers;

import dev.kiln.registers.internal.Prm;

/**
 * MLOCK, the HW access key lock ("secure host", 0x402D, 16 bytes; protocol doc §1.6, §6.2). SET with
 * operation 1 and a key disables HW access (locks); SET with operation 0 and the same key enables
 * it again. GET reports the operation (0 unlocked, 1 locked) and never the key.
 *
 * <pre>
 * Field       Bits / bytes
 * operation   0x00.0-7 (0 unlocked / unlock, 1 locked / lock)
 * key         0x08..0x0F (64-bit)
 * </pre>
 *
 * <p>{@link #toString()} never shows the key.
 */
public record Mlock(int operation, long key) {

  public static final int SIZE = 0x10;
  public static final int UNLOCK = 0;
  public static final int LOCK = 1;

  public Mlock {
    Prm.checkField("operation", operation, 8);
  }

  public boolean locked() {
    return operation != UNLOCK;
  }

  public static Mlock decode(byte[] reg) throws RegisterFormatException {
    Prm.requireLength("MLOCK", reg, SIZE);
    return new Mlock((int) Prm.get(reg, 0x00, 0, 8), Prm.u64(reg, 0x08));
  }

  public byte[] encode() {
    byte[] reg = new byte[SIZE];
    Prm.set(reg, 0x00, 0, 8, operation);
    Prm.putU64(reg, 0x08, key);
    return reg;
  }

  @Override
  public String toString() {
    return "Mlock[operation=" + operation + ", key=(not shown)]";
  }
}
