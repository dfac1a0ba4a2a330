package dev.kiln.registers.pldm;

/**
 * TransferFlag of PassComponentTable (DSP0267 1.1.0, clause "PassComponentTable command": Start
 * 0x01, Middle 0x02, End 0x04, StartAndEnd 0x05), which tells the FD where in the component table
 * this entry is.
 */
public final class TransferFlag {
  private TransferFlag() {}

  public static final int START = 0x01;
  public static final int MIDDLE = 0x02;
  public static final int END = 0x04;
  public static final int START_AND_END = 0x05;

  /** The flag of entry {@code index} of {@code count}. */
  public static int of(int index, int count) {
    if (count == 1) {
      return START_AND_END;
    }
    return index == 0 ? START : index == count - 1 ? END : MIDDLE;
  }
}
