package dev.kiln.registers;

import dev.kiln.registers.internal.Prm;

/**
 * MCC, Management Component Control (0x9062, 32 bytes): drives the update state machine (protocol
 * doc §1.6, §2).
 *
 * <pre>
 * Field                         Bits
 * instruction                   0x00.0-7    (§2.2; write only)
 * activation_delay_sec          0x00.8-15
 * time_elapsed_since_last_cmd   0x00.16-27  (seconds, saturates at 0xFFF)
 * component_index               0x04.0-15   (MCQS index)
 * update_handle                 0x08.0-23
 * auto_update                   0x08.31     (LinkX)
 * control_state                 0x0C.0-3    (§2.3, read only)
 * error_code                    0x0C.8-15   (§2.9)
 * control_progress              0x0C.16-22  (0..100, 101 = not supported)
 * handle_owner_host_id          0x0C.24-27
 * handle_owner_type             0x0C.28-31  (0 unspecified .. 5 ICMD)
 * component_size                0x10.0-31
 * device_type                   0x14.0-7
 * device_index                  0x14.16-27
 * device_index_size             0x18.0-11
 * rejected_device_index         0x18.16-27
 * </pre>
 */
public record Mcc(
    int instruction,
    int activationDelaySec,
    int timeElapsedSinceLastCmd,
    int componentIndex,
    int updateHandle,
    boolean autoUpdate,
    int controlState,
    int errorCode,
    int controlProgress,
    int handleOwnerHostId,
    int handleOwnerType,
    long componentSize,
    int deviceType,
    int deviceIndex,
    int deviceIndexSize,
    int rejectedDeviceIndex) {

  public static final int SIZE = 0x20;
  /** Handle owner type of a host using ICMD. */
  public static final int OWNER_ICMD = 5;
  /** {@code control_progress} value meaning "progress not supported". */
  public static final int PROGRESS_NOT_SUPPORTED = 101;

  public Mcc {
    Prm.checkField("instruction", instruction, 8);
    Prm.checkField("activation_delay_sec", activationDelaySec, 8);
    Prm.checkField("time_elapsed_since_last_cmd", timeElapsedSinceLastCmd, 12);
    Prm.checkField("component_index", componentIndex, 16);
    Prm.checkField("update_handle", updateHandle, 24);
    Prm.checkField("control_state", controlState, 4);
    Prm.checkField("error_code", errorCode, 8);
    Prm.checkField("control_progress", controlProgress, 7);
    Prm.checkField("handle_owner_host_id", handleOwnerHostId, 4);
    Prm.checkField("handle_owner_type", handleOwnerType, 4);
    Prm.checkField("component_size", componentSize, 32);
    Prm.checkField("device_type", deviceType, 8);
    Prm.checkField("device_index", deviceIndex, 12);
    Prm.checkField("device_index_size", deviceIndexSize, 12);
    Prm.checkField("rejected_device_index", rejectedDeviceIndex, 12);
  }

  /**
   * A host command as mstflint fills it: instruction, component index, handle and (for UPDATE) the
   * component size; everything else 0. Use {@link MccInstruction#QUERY} for the GET.
   */
  public static Mcc command(
      MccInstruction instruction, int componentIndex, int updateHandle, long componentSize) {
    return new Mcc(
        instruction.code(), 0, 0, componentIndex, updateHandle, false, 0, 0, 0, 0, 0,
        componentSize, 0, 0, 0, 0);
  }

  /** The decoded state, or null for a value no state names. */
  public FsmState state() {
    return FsmState.fromCode(controlState);
  }

  /** The decoded error code. */
  public MccErrorCode error() {
    return MccErrorCode.fromCode(errorCode);
  }

  /** The decoded instruction, or null. */
  public MccInstruction instructionCode() {
    return MccInstruction.fromCode(instruction);
  }

  /** A copy with the device-written fields replaced (what a device puts in its reply). */
  public Mcc withStatus(
      FsmState state, MccErrorCode error, int progress, int elapsed, int handle, int ownerType) {
    return new Mcc(
        instruction, activationDelaySec, Math.min(elapsed, 0xFFF), componentIndex, handle,
        autoUpdate, state.code(), error == MccErrorCode.UNKNOWN ? 0xFF : error.code(), progress, 0,
        ownerType, componentSize, deviceType, deviceIndex, deviceIndexSize, rejectedDeviceIndex);
  }

  /** Decodes the first {@link #SIZE} bytes of a payload. */
  public static Mcc decode(byte[] reg) throws RegisterFormatException {
    Prm.requireLength("MCC", reg, SIZE);
    return new Mcc(
        (int) Prm.get(reg, 0x00, 0, 8),
        (int) Prm.get(reg, 0x00, 8, 8),
        (int) Prm.get(reg, 0x00, 16, 12),
        (int) Prm.get(reg, 0x04, 0, 16),
        (int) Prm.get(reg, 0x08, 0, 24),
        Prm.flag(reg, 0x08, 31),
        (int) Prm.get(reg, 0x0C, 0, 4),
        (int) Prm.get(reg, 0x0C, 8, 8),
        (int) Prm.get(reg, 0x0C, 16, 7),
        (int) Prm.get(reg, 0x0C, 24, 4),
        (int) Prm.get(reg, 0x0C, 28, 4),
        Prm.u32(reg, 0x10),
        (int) Prm.get(reg, 0x14, 0, 8),
        (int) Prm.get(reg, 0x14, 16, 12),
        (int) Prm.get(reg, 0x18, 0, 12),
        (int) Prm.get(reg, 0x18, 16, 12));
  }

  /** The {@link #SIZE}-byte payload. */
  public byte[] encode() {
    byte[] reg = new byte[SIZE];
    Prm.set(reg, 0x00, 0, 8, instruction);
    Prm.set(reg, 0x00, 8, 8, activationDelaySec);
    Prm.set(reg, 0x00, 16, 12, timeElapsedSinceLastCmd);
    Prm.set(reg, 0x04, 0, 16, componentIndex);
    Prm.set(reg, 0x08, 0, 24, updateHandle);
    Prm.setFlag(reg, 0x08, 31, autoUpdate);
    Prm.set(reg, 0x0C, 0, 4, controlState);
    Prm.set(reg, 0x0C, 8, 8, errorCode);
    Prm.set(reg, 0x0C, 16, 7, controlProgress);
    Prm.set(reg, 0x0C, 24, 4, handleOwnerHostId);
    Prm.set(reg, 0x0C, 28, 4, handleOwnerType);
    Prm.putU32(reg, 0x10, componentSize);
    Prm.set(reg, 0x14, 0, 8, deviceType);
    Prm.set(reg, 0x14, 16, 12, deviceIndex);
    Prm.set(reg, 0x18, 0, 12, deviceIndexSize);
    Prm.set(reg, 0x18, 16, 12, rejectedDeviceIndex);
    return reg;
  }
}
