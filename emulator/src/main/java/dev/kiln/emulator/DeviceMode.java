package dev.kiln.emulator;

/** How the device came up at its last boot. */
public enum DeviceMode {
  /** A valid image runs; access registers work; the raw flash gateway is blocked. */
  SECURE_FW,
  /**
   * Flash recovery ("livefish"): no valid image on flash, or the flash-not-present jumper is set.
   * Access registers are unavailable (ICMD refused, protocol doc §1.4); only identification and
   * the raw flash gateway work.
   */
  LIVEFISH
}
