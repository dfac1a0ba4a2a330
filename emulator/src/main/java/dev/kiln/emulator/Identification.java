package dev.kiln.emulator;

/**
 * What a host learns about a device without access registers (PCI config space in real life):
 * the PCI device id, which equals the HW device id exactly in livefish (protocol doc §6.3).
 *
 * @param mode how the device booted
 * @param pciDeviceId the PCI device id the device presents
 * @param hwDevId the chip's HW device id
 * @param psid the board PSID
 * @param runningVersion the running FW version ({@code major.minor.subminor}), empty in livefish
 */
public record Identification(
    DeviceMode mode, int pciDeviceId, int hwDevId, String psid, String runningVersion) {

  /** One line, {@code key=value} pairs, as the daemon's identify frame carries it. */
  public String toLine() {
    return String.format(
        "mode=%s pci_device_id=0x%x hw_dev_id=0x%x psid=%s running=%s",
        mode.name().toLowerCase(java.util.Locale.ROOT), pciDeviceId, hwDevId, psid,
        runningVersion.isEmpty() ? "-" : runningVersion);
  }
}
