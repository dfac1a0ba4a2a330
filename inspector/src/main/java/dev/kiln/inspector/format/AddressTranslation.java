package dev.kiln.inspector.format;

/**
 * Maps ITOC "contiguous" section addresses to file offsets (fs4-format.md §9.6). Flash images are
 * organised in two slots of 2^L bytes (L = tools-area {@code log2_img_slot_size}); an address
 * {@code a} at or above 2^L lands at {@code (a mod 2^L) | (odd << L) | ((a << 1) & ~(2^(L+1)-1))},
 * where {@code odd} is 1 when the image does not start at offset 0. DTOC addresses are physical and
 * are never translated.
 */
public final class AddressTranslation {
  /** Largest log2 slot size this code translates; larger values would overflow the arithmetic. */
  public static final int MAX_LOG2 = 30;

  private AddressTranslation() {}

  /**
   * The physical file offset of contiguous address {@code address} (for an image at offset 0 and
   * an address below 2^L this is the address itself; with a non-zero start the odd slot is added).
   *
   * @param address non-negative contiguous address
   * @param log2SlotSize tools-area log2_img_slot_size (values above {@link #MAX_LOG2} are clamped,
   *     which makes every plausible address identity-mapped)
   * @param oddSlot true when the image start is not 0
   */
  public static long toPhysical(long address, int log2SlotSize, boolean oddSlot) {
    int log2 = Math.max(0, Math.min(log2SlotSize, MAX_LOG2));
    long slot = 1L << log2;
    long low = address & (slot - 1);
    long high = (address << 1) & ~((slot << 1) - 1);
    return low | (oddSlot ? slot : 0) | high;
  }

  /** True when a section {@code [address, address + size)} ends within the first slot. */
  public static boolean withinSlot(long address, long size, int log2SlotSize) {
    int log2 = Math.max(0, Math.min(log2SlotSize, 62));
    return address + size <= (1L << log2);
  }
}
