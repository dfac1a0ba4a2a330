package dev.kiln.registers;

import dev.kiln.registers.internal.Prm;
import java.util.Arrays;

/**
 * MQIS, Management Query Information String (0x9064, 24 bytes): 8-byte windows of an info string
 * (protocol doc §1.6). Hosts read 8 bytes at a time until {@code info_length} bytes are in.
 *
 * <pre>
 * Field          Bits / bytes
 * info_type      0x00.0-7   (0 VPD, 1 MODEL_NAME, 2 MODEL_DESCRIPTION, 3 IMAGE_VSD,
 *                            4 DEVICE_VSD, 5 ROM_INFO)
 * info_length    0x04.0-15  (total)
 * read_length    0x08.0-15  (requested; the reply says how much was read)
 * read_offset    0x08.16-31
 * info_string    0x10..0x17
 * </pre>
 */
public record Mqis(
    int infoType, int infoLength, int readLength, int readOffset, byte[] infoString) {

  public static final int SIZE = 0x18;
  public static final int MAX_READ = 8;
  public static final int VPD = 0;
  public static final int MODEL_NAME = 1;
  public static final int MODEL_DESCRIPTION = 2;
  public static final int IMAGE_VSD = 3;
  public static final int DEVICE_VSD = 4;
  public static final int ROM_INFO = 5;

  public Mqis {
    Prm.checkField("info_type", infoType, 8);
    Prm.checkField("info_length", infoLength, 16);
    Prm.checkField("read_length", readLength, 16);
    Prm.checkField("read_offset", readOffset, 16);
    if (infoString == null || infoString.length > MAX_READ) {
      throw new IllegalArgumentException("MQIS info_string is at most 8 bytes");
    }
    infoString = Arrays.copyOf(infoString, MAX_READ);
  }

  /** The host's GET of {@code length} bytes at {@code offset} of one info type. */
  public static Mqis query(int infoType, int offset, int length) {
    return new Mqis(infoType, 0, length, offset, new byte[0]);
  }

  @Override
  public byte[] infoString() {
    return infoString.clone();
  }

  /** A reply carrying the window of {@code info} this request asks for. */
  public Mqis withInfo(byte[] info) {
    int from = Math.min(readOffset, info.length);
    int length = Math.min(Math.min(readLength, MAX_READ), info.length - from);
    return new Mqis(
        infoType, info.length, length, readOffset, Arrays.copyOfRange(info, from, from + length));
  }

  public static Mqis decode(byte[] reg) throws RegisterFormatException {
    Prm.requireLength("MQIS", reg, SIZE);
    return new Mqis(
        (int) Prm.get(reg, 0x00, 0, 8),
        (int) Prm.get(reg, 0x04, 0, 16),
        (int) Prm.get(reg, 0x08, 0, 16),
        (int) Prm.get(reg, 0x08, 16, 16),
        Arrays.copyOfRange(reg, 0x10, 0x18));
  }

  public byte[] encode() {
    byte[] reg = new byte[SIZE];
    Prm.set(reg, 0x00, 0, 8, infoType);
    Prm.set(reg, 0x04, 0, 16, infoLength);
    Prm.set(reg, 0x08, 0, 16, readLength);
    Prm.set(reg, 0x08, 16, 16, readOffset);
    System.arraycopy(infoString, 0, reg, 0x10, MAX_READ);
    return reg;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Mqis that
        && infoType == that.infoType
        && infoLength == that.infoLength
        && readLength == that.readLength
        && readOffset == that.readOffset
        && Arrays.equals(infoString, that.infoString);
  }

  @Override
  public int hashCode() {
    return (infoType * 31 + readOffset) * 31 + Arrays.hashCode(infoString);
  }

  @Override
  public String toString() {
    return "Mqis[type=" + infoType + ", length=" + infoLength + ", read=" + readLength + "@"
        + readOffset + "]";
  }
}
