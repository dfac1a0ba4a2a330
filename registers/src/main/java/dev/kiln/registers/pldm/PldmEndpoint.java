package dev.kiln.registers.pldm;

import dev.kiln.registers.TransportException;

/**
 * The host's side of a PLDM channel to one firmware device: the seam between the update agent
 * ({@code burner.pldm}) and whatever carries PLDM (the emulator daemon's {@code KPLD} frames, the
 * in-process emulator; on a real platform MCTP). PLDM goes both ways (the FD sends
 * RequestFirmwareData, TransferComplete, VerifyComplete and ApplyComplete requests of its own),
 * and the channel is driven by the host, one message out, one answer back:
 *
 * <ul>
 *   <li>a UA request is answered with the FD's response;
 *   <li>a UA response to the FD's last request, or an empty message (a poll), is answered with
 *       the FD's next request, or an empty answer when the FD has nothing to ask now.
 * </ul>
 *
 * (docs/emulator.md, "PLDM firmware update").
 */
public interface PldmEndpoint {
  /**
   * Sends one PLDM message (or a poll: no bytes) and returns the FD's answer (possibly empty).
   *
   * @throws TransportException when the channel failed
   */
  byte[] pldm(byte[] message) throws TransportException;
}
