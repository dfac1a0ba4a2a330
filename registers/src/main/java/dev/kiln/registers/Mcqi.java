package dev.kiln.registers;

import dev.kiln.registers.internal.Prm;
import java.util.Arrays;

/**
 * MCQI, Management Component Query Information (0x9061, 148 bytes): one window of an info set of
 * a component (protocol doc §1.6). The info sets are {@link McqiCapabilities}, {@link McqiVersion}
 * and {@link McqiActivationMethod}.
 *
 * <pre>
 * Field                    Bits / bytes
 * component_index          0x00.0-15
 * device_index             0x00.16-27
 * read_pending_component   0x00.31   (1 = describe the pending component)
 * device_type              0x04.0-7
 * info_type                0x08.0-4  ({@link McqiInfoType})
 * info_size                0x0C.0-31 (total size of the info set)
 * offset                   0x10.0-31 (dword aligned)
 * data_size                0x14.0-15 (requested / returned)
 * data                     0x18..0x93 (124 bytes)
 * </pre>
 *
 * @param data the 124-byte data window (zero padded)
 */
public record Mcqi(
    int componentIndex,
    int deviceIndex,
    boolean readPendingComponent,
    int deviceType,
    int infoType,
    long infoSize,
    long offset,
    int dataSize,
    byte[] data) {

  public static final int SIZE = 0x94;
  /** Bytes in the data window. */
  public static final int MAX_DATA = 124;

  private static final int DATA_OFFSET = 0x18;

  public Mcqi {
    Prm.checkField("component_index", componentIndex, 16);
    Prm.checkField("device_index", deviceIndex, 12);
    Prm.checkField("device_type", deviceType, 8);
    Prm.checkField("info_type", infoType, 5);
    Prm.checkField("info_size", infoSize, 32);
    Prm.checkField("offset", offset, 32);
    Prm.checkField("data_size", dataSize, 16);
    if (data == null || data.length > MAX_DATA) {
      throw new IllegalArgumentException("MCQI data is at most " + MAX_DATA + " bytes");
    }
    data = Arrays.copyOf(data, MAX_DATA);
  }

  /** The host's GET: one info type of one component, from offset 0, the whole window. */
  public static Mcqi query(int componentIndex, McqiInfoType type, boolean readPending) {
    return new Mcqi(
        componentIndex, 0, readPending, 0, type.code(), 0, 0, MAX_DATA, new byte[0]);
  }

  /** The decoded info type, or null. */
  public McqiInfoType type() {
    return McqiInfoType.fromCode(infoType);
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  /** A reply carrying {@code info} (the whole set, windowed at this request's offset and size). */
  public Mcqi withInfo(byte[] info) {
    int from = (int) Math.min(offset, info.length);
    int wanted = Math.min(dataSize == 0 ? MAX_DATA : dataSize, MAX_DATA);
    int length = Math.min(wanted, info.length - from);
    byte[] window = Arrays.copyOfRange(info, from, from + length);
    return new Mcqi(
        componentIndex, deviceIndex, readPendingComponent, deviceType, infoType, info.length,
        offset, length, window);
  }

  /** Decodes the first {@link #SIZE} bytes of a payload. */
  public static Mcqi decode(byte[] reg) throws RegisterFormatException {
    Prm.requireLength("MCQI", reg, SIZE);
    return new Mcqi(
        (int) Prm.get(reg, 0x00, 0, 16),
        (int) Prm.get(reg, 0x00, 16, 12),
        Prm.flag(reg, 0x00, 31),
        (int) Prm.get(reg, 0x04, 0, 8),
        (int) Prm.get(reg, 0x08, 0, 5),
        Prm.u32(reg, 0x0C),
        Prm.u32(reg, 0x10),
        (int) Prm.get(reg, 0x14, 0, 16),
        Arrays.copyOfRange(reg, DATA_OFFSET, DATA_OFFSET + MAX_DATA));
  }

  /** The {@link #SIZE}-byte payload. */
  public byte[] encode() {
    byte[] reg = new byte[SIZE];
    Prm.set(reg, 0x00, 0, 16, componentIndex);
    Prm.set(reg, 0x00, 16, 12, deviceIndex);
    Prm.setFlag(reg, 0x00, 31, readPendingComponent);
    Prm.set(reg, 0x04, 0, 8, deviceType);
    Prm.set(reg, 0x08, 0, 5, infoType);
    Prm.putU32(reg, 0x0C, infoSize);
    Prm.putU32(reg, 0x10, offset);
    Prm.set(reg, 0x14, 0, 16, dataSize);
    System.arraycopy(data, 0, reg, DATA_OFFSET, MAX_DATA);
    return reg;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Mcqi that
        && componentIndex == that.componentIndex
        && deviceIndex == that.deviceIndex
        && readPendingComponent == that.readPendingComponent
        && deviceType == that.deviceType
        && infoType == that.infoType
        && infoSize == that.infoSize
        && offset == that.offset
        && dataSize == that.dataSize
        && Arrays.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return (componentIndex * 31 + infoType) * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Mcqi[index=" + componentIndex + ", pending=" + readPendingComponent + ", type="
        + infoType + ", infoSize=" + infoSize + ", offset=" + offset + ", dataSize=" + dataSize
        + "]";
  }
}
