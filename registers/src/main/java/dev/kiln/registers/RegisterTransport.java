package dev.kiln.registers;

import java.util.ArrayList;
import java.util.List;

/**
 * One access-register transaction at a time to one device: the seam between the host flow (burner)
 * and whatever carries the envelope (in-process emulator, loopback TCP daemon, PCI VSEC/ICMD).
 *
 * <p>Implementations exchange the complete envelope of protocol doc §1.2 (operation TLV, register
 * TLV header, payload): {@code request} is the bytes a host would put into the ICMD mailbox, and
 * the result is the bytes the device wrote back, whatever its status. Decoding the status is the
 * caller's business (see the envelope codec in this package).
 */
public interface RegisterTransport extends AutoCloseable {

  /**
   * Sends one envelope and returns the device's response envelope.
   *
   * @throws TransportException when the envelope could not be delivered or no well-formed response
   *     came back
   */
  byte[] exchange(byte[] request) throws TransportException;

  /**
   * Sends independent envelopes (say, the MCDA chunks of a download) and returns the responses
   * in order. The device answers them one after the other exactly as if {@link #exchange} had
   * sent each; a transport whose round trip costs more than the device's work may keep several
   * in flight (the {@code tcp://} transport pipelines them). Callers only batch requests that do
   * not depend on an earlier answer. This default sends them one at a time.
   *
   * @throws TransportException as {@link #exchange}; the responses before the failure are lost
   */
  default List<byte[]> exchangeAll(List<byte[]> requests) throws TransportException {
    List<byte[]> responses = new ArrayList<>(requests.size());
    for (byte[] request : requests) {
      responses.add(exchange(request));
    }
    return responses;
  }

  /** A short description of the device for messages, e.g. {@code tcp://127.0.0.1:4711}. */
  String describe();

  /**
   * The transport that reaches the device, under wrappers that only observe the exchanges (the
   * host-side recorder): what a caller inspects for transport-specific abilities such as the PCI
   * flash semaphore. A transport that wraps nothing is its own.
   */
  default RegisterTransport underlying() {
    return this;
  }

  @Override
  void close() throws TransportException;
}
