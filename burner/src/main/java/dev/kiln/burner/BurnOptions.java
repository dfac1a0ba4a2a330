package dev.kiln.burner;

/**
 * How to run one burn.
 *
 * @param activate send ACTIVATE after a successful VERIFY (false: {@code --no-activate})
 * @param expectedVersion the image's version, checked on the device afterwards (null: not checked)
 */
public record BurnOptions(boolean activate, FirmwareVersion expectedVersion) {}
