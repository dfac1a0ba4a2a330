package dev.kiln.burner;

import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;

/**
 * The host's register access: wraps a payload into the envelope of protocol doc §1.2, sends it, and
 * retries while the device answers "resource not available" (status 0x08), which every host
 * treats as "not now" (§1.3): every {@value #RETRY_SLEEP_MS} ms, up to a retry budget. Any other
 * status is returned to the caller together with the payload, because a failed MCC SET still
 * carries its {@code error_code} (§1.2).
 *
 * <p>Also counts transactions, for the host-cost figures of the benchmark.
 */
public final class RegisterClient implements AutoCloseable {
  /** Sleep between retries of a "resource not available" reply (mstflint: 80 ms). */
  public static final long RETRY_SLEEP_MS = 80;
  /** Retry budget of an ordinary access (mstflint: 3000 tries, about 4 minutes). */
  public static final int DEFAULT_MAX_TRIES = 3000;

  private final RegisterTransport transport;
  private final Sleeper sleeper;
  private final int maxTries;
  private long transactions;
  private long retries;

  public RegisterClient(RegisterTransport transport, Sleeper sleeper, int maxTries) {
    if (maxTries < 1) {
      throw new IllegalArgumentException("maxTries must be positive");
    }
    this.transport = transport;
    this.sleeper = sleeper;
    this.maxTries = maxTries;
  }

  public RegisterClient(RegisterTransport transport) {
    this(transport, Sleeper.REAL, DEFAULT_MAX_TRIES);
  }

  /** A reply: the register status and the payload the device wrote back. */
  public record Reply(RegisterStatus status, byte[] payload) {
    public Reply {
      payload = payload.clone();
    }

    @Override
    public byte[] payload() {
      return payload.clone();
    }

    public boolean ok() {
      return status == RegisterStatus.OK;
    }
  }

  /** GET of {@code register} with a request payload (index fields and the like). */
  public Reply get(AccessRegister register, byte[] payload) throws TransportException {
    return access(register, RegisterMethod.GET, payload, maxTries);
  }

  /** SET of {@code register}. */
  public Reply set(AccessRegister register, byte[] payload) throws TransportException {
    return access(register, RegisterMethod.SET, payload, maxTries);
  }

  /** An access with its own retry budget (the first handle query uses 100, as mstflint). */
  public Reply access(AccessRegister register, RegisterMethod method, byte[] payload, int tries)
      throws TransportException {
    RegisterEnvelope request = RegisterEnvelope.request(register, method, payload);
    for (int attempt = 1; ; attempt++) {
      transactions++;
      RegisterEnvelope reply = request.exchange(transport);
      RegisterStatus status = reply.registerStatus();
      if (status != RegisterStatus.RES_NOT_AVLBL) {
        return new Reply(status, reply.payload());
      }
      if (attempt >= tries) {
        return new Reply(status, reply.payload());
      }
      retries++;
      try {
        sleeper.sleep(RETRY_SLEEP_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TransportException(
            transport.describe() + ": interrupted while the device was busy", e);
      }
    }
  }

  /** Register transactions sent so far (each retry counts). */
  public long transactions() {
    return transactions;
  }

  /** "Resource not available" retries so far. */
  public long retries() {
    return retries;
  }

  /**
   * The transport that reaches the device, for what only it can do (the PCI flash semaphore, the
   * recovery gateway): under a recording wrapper, the transport it records.
   */
  public RegisterTransport transport() {
    return transport.underlying();
  }

  /** The device, for messages. */
  public String describe() {
    return transport.describe();
  }

  @Override
  public void close() throws TransportException {
    transport.close();
  }
}
