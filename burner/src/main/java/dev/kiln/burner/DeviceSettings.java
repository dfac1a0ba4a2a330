package dev.kiln.burner;

import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Mlock;
import dev.kiln.registers.Mnvda;
import dev.kiln.registers.RegisterFormatException;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import dev.kiln.registers.TransportException;
import java.util.Optional;

/**
 * What the host sets outside the update flow: the HW access key (MLOCK, protocol doc §6.2) and the
 * base MAC/GUID (MNVDA).
 */
final class DeviceSettings {
  private final DeviceLink link;

  DeviceSettings(DeviceLink link) {
    this.link = link;
  }

  /** Whether MLOCK says host access is locked by a HW access key (false when MLOCK is absent). */
  boolean hwAccessLocked() throws TransportException {
    RegisterClient.Reply reply = link.client().get(AccessRegister.MLOCK, new byte[Mlock.SIZE]);
    return reply.ok() && Mlock.decode(reply.payload()).locked();
  }

  DeviceException hwAccessDisabled() {
    String uri = link.uri();
    return new DeviceException(
        "Cannot access " + uri + ": HW access is disabled on the device. Run \"kiln device"
            + " hw-access enable --device " + uri + " --key-file FILE\" in order to enable HW"
            + " access.");
  }

  /**
   * MLOCK SET: {@code lock} true disables host access with {@code key} (set-key, hw-access
   * disable), false enables it again (hw-access enable).
   */
  void hwAccess(boolean lock, long key) throws DeviceException, TransportException {
    RegisterClient.Reply reply =
        link.client().set(
            AccessRegister.MLOCK, new Mlock(lock ? Mlock.LOCK : Mlock.UNLOCK, key).encode());
    if (reply.status() == RegisterStatus.BAD_PARAM) {
      throw new DeviceException(link.uri() + ": The given key is incorrect");
    }
    if (reply.status() == RegisterStatus.REG_NOT_SUPP) {
      throw new DeviceException(
          link.uri() + ": the device does not support the HW access key (MLOCK)");
    }
    if (!reply.ok()) {
      throw new DeviceException(link.uri() + ": MLOCK failed: " + reply.status().text());
    }
  }

  /**
   * Sets the base MAC and GUID as flint's {@code sg} does on an MCC device: an MNVDA SET of NV TLV
   * NV_BASE_MAC_GUID (0x2); the firmware applies it through its controlled configuration path.
   */
  void setBaseMacGuid(long mac, long guid) throws DeviceException, TransportException {
    byte[] request = Mnvda.baseMacGuid(mac, guid).encode();
    RegisterClient.Reply reply =
        link.client().access(AccessRegister.MNVDA, RegisterMethod.SET, request,
            RegisterClient.DEFAULT_MAX_TRIES);
    if (reply.status() == RegisterStatus.REG_NOT_SUPP) {
      throw new DeviceException(
          link.uri()
              + ": the device does not support setting GUIDs (MNVDA: Register not supported)");
    }
    if (!reply.ok()) {
      throw new DeviceException(link.uri() + ": setting the base GUID/MAC (MNVDA) failed: "
          + reply.status().text());
    }
  }

  /** The base MAC and GUID from MNVDA ({mac, guid}), or empty when the device does not say. */
  Optional<long[]> baseMacGuid() throws TransportException {
    RegisterClient.Reply reply =
        link.client().access(AccessRegister.MNVDA, RegisterMethod.GET,
            Mnvda.baseMacGuid(0, 0).encode(), RegisterClient.DEFAULT_MAX_TRIES);
    if (!reply.ok()) {
      return Optional.empty();
    }
    Mnvda tlv;
    try {
      tlv = Mnvda.decode(reply.payload());
    } catch (RegisterFormatException e) {
      return Optional.empty();
    }
    return tlv.isBaseMacGuid() ? Optional.of(new long[] {tlv.mac(), tlv.guid()}) : Optional.empty();
  }
}
