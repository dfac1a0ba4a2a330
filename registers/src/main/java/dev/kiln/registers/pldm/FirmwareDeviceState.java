package dev.kiln.registers.pldm;

import java.util.Optional;

/**
 * The FD's states (DSP0267 1.1.0, clause "Firmware Device state machine" and GetStatus
 * CurrentState; libpldm {@code enum pldm_firmware_device_states}).
 */
public enum FirmwareDeviceState {
  IDLE(0),
  LEARN_COMPONENTS(1),
  READY_XFER(2),
  DOWNLOAD(3),
  VERIFY(4),
  APPLY(5),
  ACTIVATE(6);

  private final int code;

  FirmwareDeviceState(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static Optional<FirmwareDeviceState> of(int code) {
    for (FirmwareDeviceState state : values()) {
      if (state.code == code) {
        return Optional.of(state);
      }
    }
    return Optional.empty();
  }
}
