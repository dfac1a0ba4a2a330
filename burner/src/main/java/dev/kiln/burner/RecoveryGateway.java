package dev.kiln.burner;

import dev.kiln.registers.TransportException;

/**
 * What a host can do with a device without access registers: identify it (PCI ids) and, in
 * flash-recovery (livefish) mode only, write its flash directly and name the image to boot. A
 * transport implements it when its device offers these (the emulator in-process and over TCP);
 * secure firmware blocks the gateway, so the writes work only in livefish (protocol doc §6.3, the
 * secure-FW rules' recovery procedure).
 */
public interface RecoveryGateway {

  /**
   * What the device shows without registers.
   *
   * @param livefish the device booted into flash recovery
   * @param pciDeviceId the PCI device id it presents (equal to the HW id in livefish)
   * @param hwDeviceId the chip's HW device id
   * @param psid the board PSID (empty when the device cannot tell)
   */
  record Identity(boolean livefish, int pciDeviceId, int hwDeviceId, String psid) {}

  /** Identifies the device. */
  Identity identify() throws TransportException;

  /** Raw flash write at an absolute flash address (livefish only). */
  void flashWrite(long address, byte[] data) throws TransportException;

  /** Declares the image just written at the start of {@code slot} (its size) as the boot image. */
  void setBootImage(int slot, int size) throws TransportException;

  /** Power-cycles the device so the boot ROM picks the image again. */
  void powerCycle() throws TransportException;
}
