package dev.kiln.inspector.section;

import dev.kiln.inspector.format.Dwords;

/**
 * A UID allocation (base GUID or base MAC and how many follow), 16 bytes, used by MFG_INFO and
 * DEV_INFO (fs4-format.md §12). mstflint prints it as {@code Base GUID: <uid> <count>}.
 *
 * <table>
 *   <caption>Layout</caption>
 *   <tr><th>position</th><th>field</th></tr>
 *   <tr><td>0x0.0-7</td><td>num_allocated (low 8 bits of the count)</td></tr>
 *   <tr><td>0x0.8-15</td><td>step</td></tr>
 *   <tr><td>0x0.16-23</td><td>num_allocated_msb (high 8 bits of the count)</td></tr>
 *   <tr><td>0x4</td><td>reserved (0)</td></tr>
 *   <tr><td>0x8..0xF</td><td>uid, 64-bit big-endian (for MACs the upper 16 bits are
 *       reserved)</td></tr>
 * </table>
 *
 * @param uid base GUID or MAC
 * @param count number of allocated UIDs, 0..65535
 * @param step increment between consecutive UIDs, 0..255
 */
public record UidEntry(long uid, int count, int step) {
  /** Size of an entry. */
  public static final int SIZE = 16;

  /** No UIDs. */
  public static final UidEntry NONE = new UidEntry(0, 0, 0);

  public UidEntry {
    if (count < 0 || count > 0xFFFF) {
      throw new IllegalArgumentException("UID count " + count + " is outside 0..65535");
    }
    if (step < 0 || step > 0xFF) {
      throw new IllegalArgumentException("UID step " + step + " is outside 0..255");
    }
  }

  /** A MAC allocation; the MAC must fit 48 bits. */
  public static UidEntry mac(long mac, int count) {
    if ((mac >>> 48) != 0) {
      throw new IllegalArgumentException(
          String.format("MAC 0x%x is wider than 48 bits", mac));
    }
    return new UidEntry(mac, count, 1);
  }

  /**
   * Parses a UID written as 16 (GUID) or 12 (MAC) hex digits, with or without {@code :}, {@code
   * -} or {@code 0x} decoration.
   */
  public static long parseUid(String text) {
    String digits = text.trim().toLowerCase(java.util.Locale.ROOT);
    if (digits.startsWith("0x")) {
      digits = digits.substring(2);
    }
    digits = digits.replace(":", "").replace("-", "");
    if (digits.isEmpty() || digits.length() > 16 || !digits.chars().allMatch(
        c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException("'" + text + "' is not a GUID or MAC in hex");
    }
    return Long.parseUnsignedLong(digits, 16);
  }

  /** Decodes an entry at {@code offset} of {@code body} (caller checked the bounds). */
  static UidEntry read(byte[] body, int offset) {
    int dword = Dwords.get(body, offset);
    long high = Integer.toUnsignedLong(Dwords.get(body, offset + 8));
    long low = Integer.toUnsignedLong(Dwords.get(body, offset + 12));
    return new UidEntry(
        (high << 32) | low, (dword & 0xFF) | (((dword >>> 16) & 0xFF) << 8), (dword >>> 8) & 0xFF);
  }

  /** Encodes the entry at {@code offset} of {@code body}. */
  void writeTo(byte[] body, int offset) {
    Dwords.put(body, offset, ((count >>> 8) << 16) | (step << 8) | (count & 0xFF));
    Dwords.put(body, offset + 4, 0);
    Dwords.put(body, offset + 8, (int) (uid >>> 32));
    Dwords.put(body, offset + 12, (int) uid);
  }

  /** The 16 encoded bytes. */
  public byte[] encode() {
    byte[] bytes = new byte[SIZE];
    writeTo(bytes, 0);
    return bytes;
  }

  /** The UID as 16 lower-case hex digits, as mstflint prints GUIDs. */
  public String uidHex() {
    return String.format("%016x", uid);
  }

  /** The UID as 12 lower-case hex digits, as mstflint prints MACs. */
  public String macHex() {
    return String.format("%012x", uid & 0xFFFFFFFFFFFFL);
  }
}
