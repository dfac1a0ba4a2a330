package dev.kiln.registers;

import dev.kiln.registers.internal.Prm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * One access-register transaction buffer (protocol doc §1.2): operation TLV, register TLV header and
 * the register payload. The same bytes travel in the ICMD mailbox, over the emulator daemon's
 * socket and in recordings.
 *
 * <pre>
 * Byte  Bits   Field
 * 0x00  31..27 TLV type, 1 = OPERATION
 *       26..16 length in dwords, 4
 *       15     dr (directed route)
 *       14..8  status (written by the device, §1.3)
 * 0x04  31..16 register id
 *       15     r (0 request, 1 response)
 *       14..8  method (1 GET, 2 SET)
 *       7..0   class (1 = register access)
 * 0x08  63..0  transaction id (two dwords; mstflint leaves it 0)
 * 0x10  31..27 TLV type, 3 = REG
 *       26..16 length in dwords = (payload size + 4) / 4
 * 0x14  ...    register payload, PRM layout
 * </pre>
 *
 * @param registerId the 16-bit register id
 * @param methodCode the 7-bit method value ({@link RegisterMethod#code()}); kept raw so a device can
 *     answer METHOD_NOT_SUPP for values no method names
 * @param status the 7-bit register status (0 in requests)
 * @param response the {@code r} bit: set by the device in its reply
 * @param directedRoute the {@code dr} bit
 * @param registerClass the class byte, 1 for register access
 * @param transactionId the 64-bit transaction id
 * @param payload the register payload (a multiple of 4 bytes)
 */
public record RegisterEnvelope(
    int registerId,
    int methodCode,
    int status,
    boolean response,
    boolean directedRoute,
    int registerClass,
    long transactionId,
    byte[] payload) {

  /** TLV type of the operation TLV. */
  public static final int TLV_OPERATION = 1;
  /** TLV type of the register TLV. */
  public static final int TLV_REG = 3;
  /** Other TLV types named by the protocol. */
  public static final int TLV_END = 0;

  public static final int TLV_DR = 2;
  public static final int TLV_USER_DATA = 4;
  /** Class byte of a register access. */
  public static final int CLASS_REGISTER_ACCESS = 1;
  /** Bytes before the payload: operation TLV (16) and register TLV header (4). */
  public static final int HEADER_SIZE = 20;
  /** Largest payload over ICMD (protocol doc §1.2). */
  public static final int MAX_PAYLOAD_ICMD = 0x340 - 12;

  public RegisterEnvelope {
    Prm.checkField("register id", registerId, 16);
    Prm.checkField("method", methodCode, 7);
    Prm.checkField("status", status, 7);
    Prm.checkField("class", registerClass, 8);
    if (payload == null || payload.length % 4 != 0) {
      throw new IllegalArgumentException("a register payload is a whole number of dwords");
    }
    payload = payload.clone();
  }

  /** A host request: status 0, {@code r} clear, class 1, transaction id 0. */
  public static RegisterEnvelope request(int registerId, RegisterMethod method, byte[] payload) {
    return new RegisterEnvelope(
        registerId, method.code(), 0, false, false, CLASS_REGISTER_ACCESS, 0, payload);
  }

  /** A host request for a known register. */
  public static RegisterEnvelope request(
      AccessRegister register, RegisterMethod method, byte[] payload) {
    return request(register.id(), method, payload);
  }

  /** The device's reply to this request: same id, method, class and transaction, {@code r} set. */
  public RegisterEnvelope reply(RegisterStatus registerStatus, byte[] replyPayload) {
    return new RegisterEnvelope(
        registerId,
        methodCode,
        registerStatus == RegisterStatus.UNKNOWN_ERR ? 0x7F : registerStatus.code(),
        true,
        directedRoute,
        registerClass,
        transactionId,
        replyPayload);
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  /** The payload size in bytes, without copying it. */
  public int payloadSize() {
    return payload.length;
  }

  /** The method, or null when the method value names none. */
  public RegisterMethod method() {
    return RegisterMethod.fromCode(methodCode);
  }

  /** The status as an enum ({@link RegisterStatus#UNKNOWN_ERR} for unlisted values). */
  public RegisterStatus registerStatus() {
    return RegisterStatus.fromCode(status);
  }

  /** The known register this envelope addresses, or null. */
  public AccessRegister register() {
    return AccessRegister.fromId(registerId);
  }

  /** The complete buffer: header then payload. */
  public byte[] encode() {
    byte[] out = new byte[HEADER_SIZE + payload.length];
    Prm.set(out, 0x00, 27, 5, TLV_OPERATION);
    Prm.set(out, 0x00, 16, 11, 4);
    Prm.setFlag(out, 0x00, 15, directedRoute);
    Prm.set(out, 0x00, 8, 7, status);
    Prm.set(out, 0x04, 16, 16, registerId);
    Prm.setFlag(out, 0x04, 15, response);
    Prm.set(out, 0x04, 8, 7, methodCode);
    Prm.set(out, 0x04, 0, 8, registerClass);
    Prm.putU64(out, 0x08, transactionId);
    Prm.set(out, 0x10, 27, 5, TLV_REG);
    Prm.set(out, 0x10, 16, 11, (payload.length + 4) / 4);
    System.arraycopy(payload, 0, out, HEADER_SIZE, payload.length);
    return out;
  }

  /**
   * Decodes a buffer. The register TLV length decides the payload size; trailing bytes beyond it
   * (a mailbox is often larger than the register) are ignored.
   *
   * @throws RegisterFormatException when the buffer is too short or a TLV header is not what §1.2
   *     describes; {@link RegisterFormatException#suggestedStatus()} is the status to answer with
   */
  public static RegisterEnvelope decode(byte[] buffer) throws RegisterFormatException {
    if (buffer == null || buffer.length < HEADER_SIZE) {
      throw new RegisterFormatException(
          "register envelope is "
              + (buffer == null ? 0 : buffer.length)
              + " bytes, shorter than its "
              + HEADER_SIZE
              + "-byte header",
          RegisterStatus.LEN_TOO_SMALL);
    }
    int opType = (int) Prm.get(buffer, 0x00, 27, 5);
    int opLength = (int) Prm.get(buffer, 0x00, 16, 11);
    if (opType != TLV_OPERATION || opLength != 4) {
      throw new RegisterFormatException(
          "first TLV is type " + opType + " length " + opLength + ", expected OPERATION (1) of 4",
          RegisterStatus.UNKNOWN_TLV);
    }
    int regType = (int) Prm.get(buffer, 0x10, 27, 5);
    int regLength = (int) Prm.get(buffer, 0x10, 16, 11);
    if (regType != TLV_REG) {
      throw new RegisterFormatException(
          "second TLV is type " + regType + ", expected REG (3)", RegisterStatus.UNKNOWN_TLV);
    }
    int payloadSize = (regLength - 1) * 4;
    if (regLength < 1 || HEADER_SIZE + payloadSize > buffer.length) {
      throw new RegisterFormatException(
          "register TLV says "
              + regLength
              + " dwords but the buffer holds "
              + (buffer.length - HEADER_SIZE + 4) / 4,
          RegisterStatus.LEN_TOO_SMALL);
    }
    return new RegisterEnvelope(
        (int) Prm.get(buffer, 0x04, 16, 16),
        (int) Prm.get(buffer, 0x04, 8, 7),
        (int) Prm.get(buffer, 0x00, 8, 7),
        Prm.flag(buffer, 0x04, 15),
        Prm.flag(buffer, 0x00, 15),
        (int) Prm.get(buffer, 0x04, 0, 8),
        Prm.u64(buffer, 0x08),
        Arrays.copyOfRange(buffer, HEADER_SIZE, HEADER_SIZE + payloadSize));
  }

  /**
   * Answers an undecodable request buffer: a copy of it with {@code r} set and the given status.
   * Used by devices when {@link #decode} fails, so the host still gets a reply it can read.
   */
  public static byte[] rejectRaw(byte[] request, RegisterStatus registerStatus) {
    byte[] out = Arrays.copyOf(request, Math.max(request.length, HEADER_SIZE));
    Prm.set(out, 0x00, 8, 7, registerStatus.code() < 0 ? 0x7F : registerStatus.code());
    Prm.setFlag(out, 0x04, 15, true);
    return out;
  }

  /**
   * Sends this request over a transport and decodes the reply, checking that it answers this
   * register.
   *
   * @throws TransportException when the transport fails or the reply is malformed or answers a
   *     different register
   */
  public RegisterEnvelope exchange(RegisterTransport transport) throws TransportException {
    return answered(transport, decode(transport.exchange(encode())));
  }

  /**
   * {@link #exchange} of independent requests through one {@link RegisterTransport#exchangeAll}
   * (pipelined where the transport can), each reply checked as {@link #exchange} checks it.
   */
  public static List<RegisterEnvelope> exchangeAll(
      RegisterTransport transport, List<RegisterEnvelope> requests) throws TransportException {
    List<byte[]> encoded = new ArrayList<>(requests.size());
    for (RegisterEnvelope request : requests) {
      encoded.add(request.encode());
    }
    List<byte[]> responses = transport.exchangeAll(encoded);
    if (responses.size() != requests.size()) {
      throw new TransportException(
          transport.describe() + ": " + responses.size() + " replies to " + requests.size()
              + " requests");
    }
    List<RegisterEnvelope> replies = new ArrayList<>(responses.size());
    for (int i = 0; i < responses.size(); i++) {
      replies.add(requests.get(i).answered(transport, decode(responses.get(i))));
    }
    return replies;
  }

  private RegisterEnvelope answered(RegisterTransport transport, RegisterEnvelope reply)
      throws RegisterFormatException {
    if (reply.registerId != registerId) {
      throw new RegisterFormatException(
          String.format(
              "%s answered register 0x%04X to a request for 0x%04X",
              transport.describe(), reply.registerId, registerId),
          RegisterStatus.BAD_PARAM);
    }
    return reply;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RegisterEnvelope that
        && registerId == that.registerId
        && methodCode == that.methodCode
        && status == that.status
        && response == that.response
        && directedRoute == that.directedRoute
        && registerClass == that.registerClass
        && transactionId == that.transactionId
        && Arrays.equals(payload, that.payload);
  }

  @Override
  public int hashCode() {
    return registerId * 31 + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    AccessRegister known = register();
    RegisterMethod method = method();
    return (known == null ? String.format("0x%04X", registerId) : known.name())
        + " "
        + (method == null ? "method " + methodCode : method.name())
        + (response ? " reply status 0x" + Integer.toHexString(status) : " request")
        + " "
        + payload.length
        + " bytes "
        // MLOCK carries the HW access key: never render it.
        + (known == AccessRegister.MLOCK
            ? "(not shown)"
            : HexFormat.of().formatHex(payload, 0, Math.min(payload.length, 32))
                + (payload.length > 32 ? "..." : ""));
  }
}
