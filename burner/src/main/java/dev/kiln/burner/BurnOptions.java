package dev.kiln.burner;

import dev.kiln.inspector.section.FwVersion;
/**
 * How to run one burn.
 *
 * @param activate send ACTIVATE after a successful VERIFY (false: {@code --no-activate})
 * @param expectedVersion the image's version, checked on the device afterwards (null: not checked)
 */
public record BurnOptions(boolean activate, FwVersion expectedVersion) {}
