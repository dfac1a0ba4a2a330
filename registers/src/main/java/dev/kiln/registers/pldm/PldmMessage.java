package dev.kiln.registers.pldm;

import java.util.Arrays;

/**
 * One PLDM message: the common header of DSP0240 1.1.0 (clause "PLDM message common fields")
 * and the command's payload. Requests and responses differ only in the Rq bit and in the
 * completion code every response carries first.
 *
 * <pre>
 * Byte  Bits  Field
 * 0     7     Rq: 1 request, 0 response
 * 0     6     D: datagram (unacknowledged request); 0 here
 * 0     5     reserved, 0
 * 0     4:0   Instance ID: a response carries its request's (0..31)
 * 1     7:6   header version, 00
 * 1     5:0   PLDM type (5: firmware update, DSP0245)
 * 2     7:0   command code ({@link FwUpdateCommand})
 * 3           responses only: completion code ({@link CompletionCode})
 * 3 / 4 ...   the command's request / response fields (little-endian)
 * </pre>
 *
 * (openbmc/libpldm {@code struct pldm_msg_hdr} packs the same three bytes.)
 *
 * @param request the Rq bit
 * @param instanceId 0..31
 * @param type the PLDM type
 * @param command the command code
 * @param completionCode responses: the completion code; requests: -1
 * @param payload the fields after the header (after the completion code in a response)
 */
public record PldmMessage(
    boolean request, int instanceId, int type, int command, int completionCode, byte[] payload) {

  /** Header bytes of a request; a response has one more (the completion code). */
  public static final int HEADER_SIZE = 3;

  /** Largest instance id (5 bits). */
  public static final int MAX_INSTANCE_ID = 0x1F;

  public PldmMessage {
    if (instanceId < 0 || instanceId > MAX_INSTANCE_ID) {
      throw new IllegalArgumentException("PLDM instance id is 0..31, got " + instanceId);
    }
    if (type < 0 || type > 0x3F || command < 0 || command > 0xFF) {
      throw new IllegalArgumentException("PLDM type is 6 bits and command 8 bits");
    }
    if (request ? completionCode != -1 : completionCode < 0 || completionCode > 0xFF) {
      throw new IllegalArgumentException(
          request ? "a request has no completion code" : "a completion code is one byte");
    }
    payload = payload.clone();
  }

  /** A firmware-update request. */
  public static PldmMessage request(int instanceId, FwUpdateCommand command, byte[] payload) {
    return new PldmMessage(
        true, instanceId, FwUpdateCommand.PLDM_TYPE, command.code(), -1, payload);
  }

  /** The response to {@code request} with {@code completionCode} and the fields after it. */
  public static PldmMessage response(PldmMessage request, int completionCode, byte[] payload) {
    return new PldmMessage(
        false, request.instanceId, request.type, request.command, completionCode, payload);
  }

  /** A response that carries only its completion code (every refusal looks like this). */
  public static PldmMessage failure(PldmMessage request, int completionCode) {
    return response(request, completionCode, new byte[0]);
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  /** True when this is a firmware-update message with {@code command}. */
  public boolean is(FwUpdateCommand command) {
    return type == FwUpdateCommand.PLDM_TYPE && this.command == command.code();
  }

  /** The message's bytes. */
  public byte[] encode() {
    int header = request ? HEADER_SIZE : HEADER_SIZE + 1;
    byte[] out = new byte[header + payload.length];
    out[0] = (byte) ((request ? 0x80 : 0) | instanceId);
    out[1] = (byte) type;
    out[2] = (byte) command;
    if (!request) {
      out[3] = (byte) completionCode;
    }
    System.arraycopy(payload, 0, out, header, payload.length);
    return out;
  }

  /**
   * Decodes a message.
   *
   * @throws PldmFormatException when it is shorter than its header, is a datagram, or has another
   *     header version
   */
  public static PldmMessage decode(byte[] bytes) throws PldmFormatException {
    if (bytes.length < HEADER_SIZE) {
      throw new PldmFormatException(
          "a PLDM message has a " + HEADER_SIZE + "-byte header, got " + bytes.length + " bytes");
    }
    boolean request = (bytes[0] & 0x80) != 0;
    if ((bytes[0] & 0x40) != 0) {
      throw new PldmFormatException("PLDM datagrams (D bit) are not used by firmware update");
    }
    if ((bytes[1] & 0xC0) != 0) {
      throw new PldmFormatException("PLDM header version " + ((bytes[1] & 0xC0) >> 6)
          + " is not 0");
    }
    int instance = bytes[0] & MAX_INSTANCE_ID;
    int type = bytes[1] & 0x3F;
    int command = bytes[2] & 0xFF;
    if (request) {
      return new PldmMessage(
          true, instance, type, command, -1, Arrays.copyOfRange(bytes, HEADER_SIZE, bytes.length));
    }
    if (bytes.length < HEADER_SIZE + 1) {
      throw new PldmFormatException("a PLDM response without its completion code");
    }
    return new PldmMessage(
        false, instance, type, command, bytes[3] & 0xFF,
        Arrays.copyOfRange(bytes, HEADER_SIZE + 1, bytes.length));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PldmMessage m
        && m.request == request
        && m.instanceId == instanceId
        && m.type == type
        && m.command == command
        && m.completionCode == completionCode
        && Arrays.equals(m.payload, payload);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(payload) * 31 + command;
  }

  @Override
  public String toString() {
    String name = FwUpdateCommand.of(command).map(Enum::name).orElse("0x" + Integer.toHexString(command));
    return (request ? "request " : "response ") + name + " #" + instanceId
        + (request ? "" : " " + CompletionCode.describe(completionCode))
        + " (" + payload.length + " bytes)";
  }
}
