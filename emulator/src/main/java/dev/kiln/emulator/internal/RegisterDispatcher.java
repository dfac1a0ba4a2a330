package dev.kiln.emulator.internal;

import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Mcam;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.Mcda;
import dev.kiln.registers.Mcqi;
import dev.kiln.registers.Mcqs;
import dev.kiln.registers.Mfrl;
import dev.kiln.registers.Mlock;
import dev.kiln.registers.Mnvda;
import dev.kiln.registers.Mqis;
import dev.kiln.registers.Mvts;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterFormatException;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Envelope bytes in, envelope bytes out (protocol doc §1.2): decodes the request, answers
 * envelope-level errors, applies the HW-access gate, answers the resend of a rejected SET, routes
 * each register to its part and answers the read-only query registers.
 *
 * <p>Not API; not synchronized: the facade's monitor guards every call.
 */
public final class RegisterDispatcher {
  private final DeviceState state;
  private final UpdateStateMachine updates;
  private final ControlRegisters controls;
  private final LongSupplier nanoClock;

  private byte[] lastRejectedRequest;
  private byte[] lastRejectedReply;
  private int lastRejectedClient;

  public RegisterDispatcher(
      DeviceState state,
      UpdateStateMachine updates,
      ControlRegisters controls,
      LongSupplier nanoClock) {
    this.state = state;
    this.updates = updates;
    this.controls = controls;
    this.nanoClock = nanoClock;
  }

  /** Forgets the rejected SET a resend would match, as a reset does. */
  public void reset() {
    lastRejectedRequest = null;
    lastRejectedReply = null;
  }

  /** One transaction of {@code client}: the reply envelope. */
  public byte[] dispatch(int client, byte[] request) throws IOException {
    RegisterEnvelope envelope;
    try {
      envelope = RegisterEnvelope.decode(request);
    } catch (RegisterFormatException e) {
      return RegisterEnvelope.rejectRaw(request, e.suggestedStatus());
    }
    if (envelope.response()) {
      return envelope.reply(RegisterStatus.BAD_PARAM, envelope.payload()).encode();
    }
    if (envelope.registerClass() != RegisterEnvelope.CLASS_REGISTER_ACCESS) {
      return envelope.reply(RegisterStatus.CLASS_NOT_SUPP, envelope.payload()).encode();
    }
    RegisterMethod method = envelope.method();
    if (method == null) {
      return envelope.reply(RegisterStatus.METHOD_NOT_SUPP, envelope.payload()).encode();
    }
    AccessRegister register = envelope.register();
    if (register == null) {
      return envelope.reply(RegisterStatus.REG_NOT_SUPP, envelope.payload()).encode();
    }
    byte[] payload = envelope.payload();
    if (register.size() > 0 && payload.length < register.size()) {
      return envelope.reply(RegisterStatus.LEN_TOO_SMALL, payload).encode();
    }
    // The resend of a just-rejected SET gets the same reply again, not a fresh "illegal in this
    // state" error: mstflint's register access falls back to a second attempt after a non-zero
    // status (mstflint 4.21 mtcr_ul/mtcr_ul_com.c maccess_reg_ul, last-resort SMP branch), and
    // that attempt carries what the first reply wrote into the caller's buffer (mreg_send_raw
    // copies the reply payload back), under a freshly built operation TLV. One resend is answered
    // so; anything else ends the window.
    boolean resend =
        lastRejectedRequest != null && lastRejectedClient == client && isResendOfRejected(request);
    byte[] cachedReply = lastRejectedReply;
    reset();
    if (resend) {
      return cachedReply.clone();
    }
    RegisterReply reply;
    try {
      reply = route(client, register, method, payload);
    } catch (RegisterFormatException e) {
      reply = RegisterReply.refuse(e.suggestedStatus(), payload);
    }
    byte[] out = envelope.reply(reply.status(), fit(reply.payload(), payload.length)).encode();
    if (reply.status() != RegisterStatus.OK && method == RegisterMethod.SET) {
      lastRejectedRequest = request.clone();
      lastRejectedReply = out.clone();
      lastRejectedClient = client;
    }
    return out;
  }

  /**
   * True when {@code request} is the host's resend of the rejected SET: the same operation and
   * register TLV headers, and a payload equal to the first request's (a byte-identical resend) or
   * to the first reply's (mstflint's resend, which carries the reply it got back).
   */
  private boolean isResendOfRejected(byte[] request) {
    int header = RegisterEnvelope.HEADER_SIZE;
    if (request.length != lastRejectedRequest.length
        || !Arrays.equals(request, 0, header, lastRejectedRequest, 0, header)) {
      return false;
    }
    return Arrays.equals(request, header, request.length, lastRejectedRequest, header,
            request.length)
        || (lastRejectedReply.length == request.length
            && Arrays.equals(request, header, request.length, lastRejectedReply, header,
                request.length));
  }

  /** A reply payload is as long as the request's: the device writes into the same mailbox. */
  private static byte[] fit(byte[] reply, int length) {
    return reply.length == length ? reply : Arrays.copyOf(reply, length);
  }

  private RegisterReply route(
      int client, AccessRegister register, RegisterMethod method, byte[] payload)
      throws IOException, RegisterFormatException {
    boolean get = method == RegisterMethod.GET;
    // HW access disabled (MLOCK): no SET but MLOCK itself and a FW reset is let through.
    if (!get
        && state.nv().hwAccessDisabled()
        && register != AccessRegister.MLOCK
        && register != AccessRegister.MFRL) {
      return RegisterReply.refuse(RegisterStatus.METHOD_NOT_SUPP, payload);
    }
    RegisterReply getOnly = RegisterReply.refuse(RegisterStatus.METHOD_NOT_SUPP, payload);
    switch (register) {
      case MGIR:
        return get
            ? RegisterReply.ok(
                QueryRegisters.mgir(
                        state.identity(), state.running(), state.nv().lifeCycle(),
                        uptimeSeconds())
                    .encode())
            : getOnly;
      case MCAM:
        return get ? RegisterReply.ok(QueryRegisters.mcam(Mcam.decode(payload)).encode()) : getOnly;
      case MCQS:
        return get ? mcqs(Mcqs.decode(payload)) : getOnly;
      case MCQI:
        return get ? mcqi(Mcqi.decode(payload)) : getOnly;
      case MQIS:
        return get
            ? RegisterReply.ok(QueryRegisters.mqis(Mqis.decode(payload), state.running()).encode())
            : getOnly;
      case MFSV:
        return get
            ? RegisterReply.ok(
                QueryRegisters.mfsv(state.running(), state.nv().efuseSecurityVersion()).encode())
            : getOnly;
      case MCC:
        return updates.mcc(client, get, Mcc.decode(payload));
      case MCDA:
        return updates.mcda(client, get, Mcda.decode(payload));
      case MFRL:
        return controls.mfrl(get, Mfrl.decode(payload));
      case MIRC:
        return controls.mirc(get, payload);
      case MLOCK:
        return controls.mlock(get, Mlock.decode(payload));
      case MNVDA:
        return controls.mnvda(get, Mnvda.decode(payload));
      case MVTS:
        return controls.mvts(get, Mvts.decode(payload));
      case MFPA:
      case MFBA:
      case MFBE:
      case MFMC:
        // Raw flash access through the FW: blocked on secure FW (protocol doc §7, "blocked:
        // MFBA"). This covers direct flash read/write/erase, ROM burn/removal and setting
        // MFG/VSD/VPD, which all go through these registers.
        return RegisterReply.refuse(RegisterStatus.METHOD_NOT_SUPP, payload);
      default:
        return RegisterReply.refuse(RegisterStatus.REG_NOT_SUPP, payload);
    }
  }

  private RegisterReply mcqs(Mcqs request) {
    return QueryRegisters.mcqs(
            request,
            updates.componentUpdateState(request.componentIndex()),
            state.nv().csToken(),
            !updates.idle())
        .map(reply -> RegisterReply.ok(reply.encode()))
        .orElseGet(() -> RegisterReply.refuse(RegisterStatus.BAD_PARAM, request.encode()));
  }

  private RegisterReply mcqi(Mcqi request) throws IOException {
    Path token = state.dir().resolve(UpdateStateMachine.CS_TOKEN_FILE);
    long tokenSize = state.nv().csToken() && Files.exists(token) ? Files.size(token) : 0;
    return QueryRegisters.mcqi(
            request,
            state.running(),
            state.pending(),
            state.flash().slotSize(),
            tokenSize,
            UpdateStateMachine.MAX_TOKEN_SIZE)
        .map(reply -> RegisterReply.ok(reply.encode()))
        .orElseGet(() -> RegisterReply.refuse(RegisterStatus.BAD_PARAM, request.encode()));
  }

  private long uptimeSeconds() {
    return (nanoClock.getAsLong() - state.bootNanos()) / 1_000_000_000L;
  }
}
