package dev.kiln.registers.pldm;

import java.nio.ByteBuffer;

/**
 * The FD's TransferComplete (0x16), VerifyComplete (0x17) and ApplyComplete (0x18) requests
 * (DSP0267 1.1.0, clauses "TransferComplete command", "VerifyComplete command", "ApplyComplete
 * command"; libpldm {@code encode_transfer_complete_req}, {@code encode_verify_complete_req},
 * {@code struct pldm_apply_complete_req}). The UA answers each with a completion code only.
 *
 * <pre>
 * Offset  Size  Field
 * 0       1     TransferResult / VerifyResult / ApplyResult ({@link ResultCodes})
 * 1       2     ApplyComplete only: ComponentActivationMethodsModification (bitfield)
 * </pre>
 *
 * @param command which of the three
 * @param result the result code
 * @param activationMethodsModification ApplyComplete's second field (0 for the others)
 */
public record CompleteReport(FwUpdateCommand command, int result, int activationMethodsModification) {
  public CompleteReport {
    if (command != FwUpdateCommand.TRANSFER_COMPLETE
        && command != FwUpdateCommand.VERIFY_COMPLETE
        && command != FwUpdateCommand.APPLY_COMPLETE) {
      throw new IllegalArgumentException(command + " is not a completion report");
    }
    if (command != FwUpdateCommand.APPLY_COMPLETE && activationMethodsModification != 0) {
      throw new IllegalArgumentException("only ApplyComplete modifies activation methods");
    }
  }

  public static CompleteReport of(FwUpdateCommand command, int result) {
    return new CompleteReport(command, result, 0);
  }

  public byte[] encode() {
    if (command == FwUpdateCommand.APPLY_COMPLETE) {
      return Wire.out(3).put((byte) result).putShort((short) activationMethodsModification)
          .array();
    }
    return new byte[] {(byte) result};
  }

  public static CompleteReport decode(FwUpdateCommand command, byte[] payload)
      throws PldmFormatException {
    ByteBuffer in = Wire.in(payload);
    int result = Wire.u8(in, "result");
    int modification =
        command == FwUpdateCommand.APPLY_COMPLETE
            ? Wire.u16(in, "ComponentActivationMethodsModification")
            : 0;
    Wire.end(in, command + " request");
    return new CompleteReport(command, result, modification);
  }

  /** The result as messages print it. */
  public String describeResult() {
    return switch (command) {
      case TRANSFER_COMPLETE -> "TransferComplete " + ResultCodes.transfer(result);
      case VERIFY_COMPLETE -> "VerifyComplete " + ResultCodes.verify(result);
      default -> "ApplyComplete " + ResultCodes.apply(result);
    };
  }
}
