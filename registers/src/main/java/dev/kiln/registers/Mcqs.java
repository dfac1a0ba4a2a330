package dev.kiln.registers;

import dev.kiln.registers.internal.Prm;

/**
 * MCQS, Management Component Query Status (0x9060, 16 bytes): one entry of the component list
 * (protocol doc §1.6, §2.5). Hosts scan indexes from 0 until {@code last_index_flag}.
 *
 * <pre>
 * Field                               Bits
 * component_index                     0x00.0-15
 * device_index                        0x00.16-27
 * last_index_flag                     0x00.31
 * identifier                          0x04.0-15  ({@link ComponentId})
 * component_update_state              0x08.0-3   ({@link ComponentUpdateState})
 * component_status                    0x08.4-8   ({@link ComponentStatus})
 * progress                            0x08.9-15
 * device_type                         0x0C.0-7
 * last_update_state_changer_host_id   0x0C.24-27
 * last_update_state_changer_type      0x0C.28-31
 * </pre>
 */
public record Mcqs(
    int componentIndex,
    int deviceIndex,
    boolean lastIndexFlag,
    int identifier,
    int componentUpdateState,
    int componentStatus,
    int progress,
    int deviceType,
    int lastUpdateStateChangerHostId,
    int lastUpdateStateChangerType) {

  public static final int SIZE = 0x10;

  public Mcqs {
    Prm.checkField("component_index", componentIndex, 16);
    Prm.checkField("device_index", deviceIndex, 12);
    Prm.checkField("identifier", identifier, 16);
    Prm.checkField("component_update_state", componentUpdateState, 4);
    Prm.checkField("component_status", componentStatus, 5);
    Prm.checkField("progress", progress, 7);
    Prm.checkField("device_type", deviceType, 8);
    Prm.checkField("last_update_state_changer_host_id", lastUpdateStateChangerHostId, 4);
    Prm.checkField("last_update_state_changer_type", lastUpdateStateChangerType, 4);
  }

  /** The host's GET for one index of the host device. */
  public static Mcqs query(int componentIndex) {
    return new Mcqs(componentIndex, 0, false, 0, 0, 0, 0, 0, 0, 0);
  }

  /** The decoded identifier, or null for an id Kiln does not name. */
  public ComponentId component() {
    return ComponentId.fromCode(identifier);
  }

  /** The decoded update state, or null. */
  public ComponentUpdateState updateState() {
    return ComponentUpdateState.fromCode(componentUpdateState);
  }

  /** The decoded status, or null. */
  public ComponentStatus status() {
    return ComponentStatus.fromCode(componentStatus);
  }

  /** Decodes the first {@link #SIZE} bytes of a payload. */
  public static Mcqs decode(byte[] reg) throws RegisterFormatException {
    Prm.requireLength("MCQS", reg, SIZE);
    return new Mcqs(
        (int) Prm.get(reg, 0x00, 0, 16),
        (int) Prm.get(reg, 0x00, 16, 12),
        Prm.flag(reg, 0x00, 31),
        (int) Prm.get(reg, 0x04, 0, 16),
        (int) Prm.get(reg, 0x08, 0, 4),
        (int) Prm.get(reg, 0x08, 4, 5),
        (int) Prm.get(reg, 0x08, 9, 7),
        (int) Prm.get(reg, 0x0C, 0, 8),
        (int) Prm.get(reg, 0x0C, 24, 4),
        (int) Prm.get(reg, 0x0C, 28, 4));
  }

  /** The {@link #SIZE}-byte payload. */
  public byte[] encode() {
    byte[] reg = new byte[SIZE];
    Prm.set(reg, 0x00, 0, 16, componentIndex);
    Prm.set(reg, 0x00, 16, 12, deviceIndex);
    Prm.setFlag(reg, 0x00, 31, lastIndexFlag);
    Prm.set(reg, 0x04, 0, 16, identifier);
    Prm.set(reg, 0x08, 0, 4, componentUpdateState);
    Prm.set(reg, 0x08, 4, 5, componentStatus);
    Prm.set(reg, 0x08, 9, 7, progress);
    Prm.set(reg, 0x0C, 0, 8, deviceType);
    Prm.set(reg, 0x0C, 24, 4, lastUpdateStateChangerHostId);
    Prm.set(reg, 0x0C, 28, 4, lastUpdateStateChangerType);
    return reg;
  }
}
