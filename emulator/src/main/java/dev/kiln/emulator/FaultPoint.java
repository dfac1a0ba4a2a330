package dev.kiln.emulator;

/**
 * Named instants inside the device's flash-changing steps where a test can cut the power (see
 * {@link FaultInjector}). The order within one burn is the order listed.
 */
public enum FaultPoint {
  /** After one MCDA chunk was stored in the download buffer (RAM only). */
  MCDA_CHUNK,
  /**
   * PLDM path: after one RequestFirmwareData answer was stored in the download buffer (RAM
   * only). The PLDM path then passes VERIFY_SLOT_HALF_WRITTEN and VERIFY_SLOT_WRITTEN while it
   * applies (the same staging write) and the ACTIVATE points at ActivateFirmware.
   */
  PLDM_DATA_CHUNK,
  /** VERIFY passed; the image body is half written to the inactive slot (no magic). */
  VERIFY_SLOT_HALF_WRITTEN,
  /** VERIFY passed; the body is in the inactive slot and flushed, NV not yet updated. */
  VERIFY_SLOT_WRITTEN,
  /** ACTIVATE: the new slot's magic is written and flushed; both slots are valid. */
  ACTIVATE_MAGIC_WRITTEN,
  /** ACTIVATE: the NV boot pointer names the new slot; the old magic is still valid. */
  ACTIVATE_POINTER_SWITCHED,
  /** ACTIVATE: the old slot's magic is invalidated; activation complete. */
  ACTIVATE_OLD_INVALIDATED,
  /** MIRC: the target slot's magic is restored; both slots valid. */
  REACTIVATE_MAGIC_WRITTEN,
  /** MIRC: the NV boot pointer names the target slot. */
  REACTIVATE_POINTER_SWITCHED,
  /** Boot: a boot-time repair (invalidating a second valid slot) is about to be written. */
  BOOT_REPAIR,
  /** Recovery gateway: a raw flash write was applied. */
  GATEWAY_WRITE
}
