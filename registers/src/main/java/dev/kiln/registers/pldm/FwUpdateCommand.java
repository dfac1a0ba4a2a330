package dev.kiln.registers.pldm;

import java.util.Optional;

/**
 * The PLDM for Firmware Update (PLDM type 5) command codes the update path uses (DSP0267 1.1.0,
 * clause "PLDM for Firmware Update command codes", the table of command codes; the same values as
 * openbmc/libpldm {@code enum pldm_firmware_update_commands}). Who sends each one: UA (the update
 * agent, a BMC or {@code kiln burn --via pldm}) or FD (the firmware device, the adapter).
 */
public enum FwUpdateCommand {
  /** UA to FD: the device's descriptors. */
  QUERY_DEVICE_IDENTIFIERS(0x01),
  /** UA to FD: the component table and the active and pending versions. */
  GET_FIRMWARE_PARAMETERS(0x02),
  /** UA to FD: enter update mode. */
  REQUEST_UPDATE(0x10),
  /** UA to FD: one entry of the package's component table. */
  PASS_COMPONENT_TABLE(0x13),
  /** UA to FD: start updating one component. */
  UPDATE_COMPONENT(0x14),
  /** FD to UA: a piece of the component image. */
  REQUEST_FIRMWARE_DATA(0x15),
  /** FD to UA: the transfer ended (its result). */
  TRANSFER_COMPLETE(0x16),
  /** FD to UA: the verification ended (its result). */
  VERIFY_COMPLETE(0x17),
  /** FD to UA: the apply (write to the update bank) ended (its result). */
  APPLY_COMPLETE(0x18),
  /** UA to FD: activate what was applied. */
  ACTIVATE_FIRMWARE(0x1A),
  /** UA to FD: the FD's state. */
  GET_STATUS(0x1B),
  /** UA to FD: abandon the component being updated. */
  CANCEL_UPDATE_COMPONENT(0x1C),
  /** UA to FD: leave update mode. */
  CANCEL_UPDATE(0x1D);

  /** PLDM type of every command here (DSP0245, "PLDM for Firmware Update" = 5). */
  public static final int PLDM_TYPE = 0x05;

  private final int code;

  FwUpdateCommand(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static Optional<FwUpdateCommand> of(int code) {
    for (FwUpdateCommand command : values()) {
      if (command.code == code) {
        return Optional.of(command);
      }
    }
    return Optional.empty();
  }
}
