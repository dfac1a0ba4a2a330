package dev.kiln.burner;

import dev.kiln.burner.pci.PciTransport;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Mcam;
import dev.kiln.registers.Mgir;
import dev.kiln.registers.TransportException;
import java.util.List;

/**
 * Answers whether the device offers the controlled update path (MCAM, protocol doc §2.1) or is in
 * flash-not-present (livefish) recovery mode (§6.3).
 */
final class UpdatePathSupport {
  private final DeviceLink link;

  UpdatePathSupport(DeviceLink link) {
    this.link = link;
  }

  /**
   * Checks that the device speaks the controlled update path: MCAM group 0 must flag MGIR and
   * MCQS..MQIS. Fails with a livefish message when the device is in flash-not-present mode. It sends
   * no MCC: a real ConnectX-5 answering mstflint's {@code query full} saw no MCC request at all
   * (../shared/fixtures/real-cx5-query), so only a burn takes the handle ({@link
   * UpdateHandle#takeOpeningHandle}).
   */
  void checkSupported() throws DeviceException, TransportException {
    if (Boolean.TRUE.equals(livefishFromTransport())) {
      throw livefish();
    }
    RegisterClient.Reply reply = link.client().get(AccessRegister.MCAM, Mcam.query(0).encode());
    if (!reply.ok()) {
      if (isLivefish()) {
        throw livefish();
      }
      throw new DeviceException(
          link.uri() + ": the device does not support the controlled update path (MCAM: "
              + reply.status().text() + ")");
    }
    Mcam mcam = Mcam.decode(reply.payload());
    for (AccessRegister needed :
        List.of(
            AccessRegister.MGIR,
            AccessRegister.MCQS,
            AccessRegister.MCQI,
            AccessRegister.MCC,
            AccessRegister.MCDA,
            AccessRegister.MQIS)) {
      if (!mcam.supportsRegister(needed.id())) {
        throw new DeviceException(
            link.uri() + ": unsupported device: its firmware does not offer " + needed.describe()
                + ", so the controlled update path is not available");
      }
    }
  }

  /**
   * Whether the device is in flash-not-present (livefish) recovery mode: the PCI device id equals
   * the HW device id (protocol doc §6.3), as the PCI gateway or the transport's {@link
   * RecoveryGateway} identification shows; otherwise MGIR is asked the same question.
   */
  boolean isLivefish() throws TransportException {
    Boolean fromTransport = livefishFromTransport();
    if (fromTransport != null) {
      return fromTransport;
    }
    RegisterClient.Reply reply = link.client().get(AccessRegister.MGIR, new byte[Mgir.SIZE]);
    if (!reply.ok()) {
      return false;
    }
    Mgir mgir = Mgir.decode(reply.payload());
    return mgir.deviceId() != 0 && mgir.deviceId() == mgir.hwDevId();
  }

  /** What the transport itself knows about livefish, without a register access; null: nothing. */
  private Boolean livefishFromTransport() throws TransportException {
    if (link.client().transport() instanceof PciTransport pci) {
      return pci.isLivefish();
    }
    if (link.client().transport() instanceof RecoveryGateway gateway) {
      return gateway.identify().livefish();
    }
    return null;
  }

  DeviceException livefish() {
    return new DeviceException(
        link.uri() + " is in flash-not-present (livefish) recovery mode: it has no valid"
            + " firmware; restore it with 'kiln burn --device " + link.uri()
            + " --psid PSID IMAGE'");
  }

  /** Whether the MCAM group 2 bitmap lists {@code register}. */
  boolean supportsGroup2(AccessRegister register) throws TransportException {
    RegisterClient.Reply reply = link.client().get(AccessRegister.MCAM, Mcam.query(2).encode());
    return reply.ok() && Mcam.decode(reply.payload()).supportsRegister(register.id());
  }
}
