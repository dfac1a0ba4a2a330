package dev.kiln.burner;

import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Mfrl;
import dev.kiln.registers.Mgir;
import dev.kiln.registers.Mirc;
import dev.kiln.registers.MircStatus;
import dev.kiln.registers.TransportException;

/**
 * Makes a burnt image run or go away: firmware reset (MFRL, then the MGIR uptime check, protocol
 * doc §4.2) and image reactivation (MIRC polling, §4.3).
 */
final class ImageActivation {
  /** MIRC poll interval and budget (mstflint: 50 ms, 30 s). */
  static final long MIRC_POLL_MS = 50;

  static final int MIRC_MAX_POLLS = 600;

  private final DeviceLink link;
  private final UpdatePathSupport support;
  private final ComponentCatalog catalog;
  private final DeviceQuery query;

  ImageActivation(
      DeviceLink link, UpdatePathSupport support, ComponentCatalog catalog, DeviceQuery query) {
    this.link = link;
    this.support = support;
    this.catalog = catalog;
    this.query = query;
  }

  /** See {@link SecureDevice#reset}. */
  int reset() throws DeviceException, TransportException {
    String uri = link.uri();
    RegisterClient client = link.client();
    Mgir before = query.generalInfo();
    RegisterClient.Reply state = client.get(AccessRegister.MFRL, new byte[Mfrl.SIZE]);
    if (!state.ok()) {
      // mstfwreset retries the first MFRL access once: early firmware may fail it.
      state = client.get(AccessRegister.MFRL, new byte[Mfrl.SIZE]);
    }
    if (!state.ok()) {
      throw new DeviceException(uri + ": MFRL query failed: " + state.status().text());
    }
    int supported = Mfrl.decode(state.payload()).resetTrigger();
    int level =
        (supported & Mfrl.LEVEL_0_LIVE_PATCH) != 0
            ? Mfrl.LEVEL_0_LIVE_PATCH
            : (supported & Mfrl.LEVEL_3_DRIVER_RESTART) != 0
                ? Mfrl.LEVEL_3_DRIVER_RESTART
                : Mfrl.LEVEL_4_WARM_REBOOT;
    RegisterClient.Reply reply = client.set(AccessRegister.MFRL, Mfrl.request(level).encode());
    if (!reply.ok()) {
      throw new DeviceException(uri + ": firmware reset (MFRL) failed: " + reply.status().text());
    }
    catalog.invalidate();
    Mgir after = query.generalInfo();
    if (after.uptime() >= before.uptime() && before.uptime() > 5) {
      throw new DeviceException(
          uri + ": Firmware reset failed, retry operation or reboot machine.");
    }
    return level;
  }

  /** See {@link SecureDevice#reactivate}. */
  void reactivate() throws DeviceException, TransportException {
    String uri = link.uri();
    RegisterClient client = link.client();
    if (!support.supportsGroup2(AccessRegister.MIRC)) {
      throw new DeviceException(
          uri + ": Image reactivation - FW doesn't support this operation");
    }
    RegisterClient.Reply start = client.set(AccessRegister.MIRC, new Mirc(0).encode());
    if (!start.ok()) {
      throw new DeviceException(uri + ": image reactivation failed: " + start.status().text());
    }
    for (int poll = 0; poll < MIRC_MAX_POLLS; poll++) {
      link.pause(MIRC_POLL_MS);
      RegisterClient.Reply reply = client.get(AccessRegister.MIRC, new byte[Mirc.SIZE]);
      if (!reply.ok()) {
        throw new DeviceException(
            uri + ": image reactivation status failed: " + reply.status().text());
      }
      MircStatus status = Mirc.decode(reply.payload()).status();
      if (status == MircStatus.SUCCESS) {
        catalog.invalidate();
        return;
      }
      if (status != MircStatus.BUSY) {
        throw new DeviceException(
            "Failed to execute image reactivation on device " + uri + ". Error: "
                + status.text() + ".");
      }
    }
    throw new DeviceException(uri + ": Image reactivation - timeout expired");
  }
}
