package dev.kiln.emulator.internal;

import dev.kiln.registers.RegisterStatus;

/**
 * What one register handler answers: the status for the operation TLV and the register payload
 * (the dispatcher fits it to the request's length).
 *
 * <p>Not API.
 *
 * @param status the register status
 * @param payload the reply payload
 */
public record RegisterReply(RegisterStatus status, byte[] payload) {

  /** A successful reply. */
  public static RegisterReply ok(byte[] payload) {
    return new RegisterReply(RegisterStatus.OK, payload);
  }

  /** A refusal with {@code status}, carrying {@code payload} back. */
  public static RegisterReply refuse(RegisterStatus status, byte[] payload) {
    return new RegisterReply(status, payload);
  }
}
