package dev.kiln.burner;

import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import java.util.ArrayList;
import java.util.List;

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
      pause();
    }
  }

  /**
   * Accesses of one register with independent payloads (the MCDA chunks of a download or a
   * read-back), sent through {@link RegisterEnvelope#exchangeAll} so a transport that can
   * pipelines them. Replies come back in order and stop at the first that is not OK (the caller
   * reports that one; what the device answered to the requests sent after it is dropped). A
   * "resource not available" reply is retried as {@link #access} retries it, and the requests
   * after it are sent again, in order: the device answered them while it was not ready.
   */
  public List<Reply> accessAll(AccessRegister register, RegisterMethod method,
      List<byte[]> payloads) throws TransportException {
    List<Reply> replies = new ArrayList<>(payloads.size());
    int next = 0;
    while (next < payloads.size()) {
      List<RegisterEnvelope> requests = new ArrayList<>(payloads.size() - next);
      for (byte[] payload : payloads.subList(next, payloads.size())) {
        requests.add(RegisterEnvelope.request(register, method, payload));
      }
      List<RegisterEnvelope> answers = RegisterEnvelope.exchangeAll(transport, requests);
      int sent = next;
      transactions += answers.size();
      for (RegisterEnvelope answer : answers) {
        RegisterStatus status = answer.registerStatus();
        if (status == RegisterStatus.RES_NOT_AVLBL && maxTries > 1) {
          retries++;
          pause();
          Reply retried = access(register, method, payloads.get(next), maxTries - 1);
          replies.add(retried);
          if (!retried.ok()) {
            return replies;
          }
          next++;
          break;
        }
        Reply reply = new Reply(status, answer.payload());
        replies.add(reply);
        next++;
        if (!reply.ok()) {
          return replies;
        }
      }
      if (next == sent) {
        throw new TransportException(transport.describe() + ": no reply to a batch of requests");
      }
    }
    return replies;
  }

  private void pause() throws TransportException {
    try {
      sleeper.sleep(RETRY_SLEEP_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException(
          transport.describe() + ": interrupted while the device was busy", e);
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
