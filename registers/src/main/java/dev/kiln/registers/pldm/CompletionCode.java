package dev.kiln.registers.pldm;

import java.util.Locale;

/**
 * PLDM completion codes, the first byte of every response: the generic ones of DSP0240 1.1.0
 * (clause "PLDM completion codes") and the firmware-update ones of DSP0267 1.1.0 (clause
 * "PLDM for Firmware Update completion codes", 0x80 and up; the same values as openbmc/libpldm
 * {@code enum pldm_firmware_update_completion_codes}).
 */
public final class CompletionCode {
  private CompletionCode() {}

  public static final int SUCCESS = 0x00;
  public static final int ERROR = 0x01;
  public static final int ERROR_INVALID_DATA = 0x02;
  public static final int ERROR_INVALID_LENGTH = 0x03;
  public static final int ERROR_NOT_READY = 0x04;
  public static final int ERROR_UNSUPPORTED_PLDM_CMD = 0x05;
  public static final int ERROR_INVALID_PLDM_TYPE = 0x20;

  public static final int NOT_IN_UPDATE_MODE = 0x80;
  public static final int ALREADY_IN_UPDATE_MODE = 0x81;
  public static final int DATA_OUT_OF_RANGE = 0x82;
  public static final int INVALID_TRANSFER_LENGTH = 0x83;
  public static final int INVALID_STATE_FOR_COMMAND = 0x84;
  public static final int INCOMPLETE_UPDATE = 0x85;
  public static final int BUSY_IN_BACKGROUND = 0x86;
  public static final int CANCEL_PENDING = 0x87;
  public static final int COMMAND_NOT_EXPECTED = 0x88;
  public static final int RETRY_REQUEST_FW_DATA = 0x89;
  public static final int UNABLE_TO_INITIATE_UPDATE = 0x8A;
  public static final int ACTIVATION_NOT_REQUIRED = 0x8B;
  public static final int SELF_CONTAINED_ACTIVATION_NOT_PERMITTED = 0x8C;
  public static final int NO_DEVICE_METADATA = 0x8D;
  public static final int RETRY_REQUEST_UPDATE = 0x8E;
  public static final int NO_PACKAGE_DATA = 0x8F;
  public static final int INVALID_TRANSFER_HANDLE = 0x90;
  public static final int INVALID_TRANSFER_OPERATION_FLAG = 0x91;
  public static final int ACTIVATE_PENDING_IMAGE_NOT_PERMITTED = 0x92;
  public static final int PACKAGE_DATA_ERROR = 0x93;

  /** The code as messages print it, e.g. {@code 0x8a UNABLE_TO_INITIATE_UPDATE}. */
  public static String describe(int code) {
    return String.format(Locale.ROOT, "0x%02x %s", code, name(code));
  }

  /** The DSP0240/DSP0267 name of {@code code}, or {@code UNKNOWN}. */
  public static String name(int code) {
    return switch (code) {
      case SUCCESS -> "SUCCESS";
      case ERROR -> "ERROR";
      case ERROR_INVALID_DATA -> "ERROR_INVALID_DATA";
      case ERROR_INVALID_LENGTH -> "ERROR_INVALID_LENGTH";
      case ERROR_NOT_READY -> "ERROR_NOT_READY";
      case ERROR_UNSUPPORTED_PLDM_CMD -> "ERROR_UNSUPPORTED_PLDM_CMD";
      case ERROR_INVALID_PLDM_TYPE -> "ERROR_INVALID_PLDM_TYPE";
      case NOT_IN_UPDATE_MODE -> "NOT_IN_UPDATE_MODE";
      case ALREADY_IN_UPDATE_MODE -> "ALREADY_IN_UPDATE_MODE";
      case DATA_OUT_OF_RANGE -> "DATA_OUT_OF_RANGE";
      case INVALID_TRANSFER_LENGTH -> "INVALID_TRANSFER_LENGTH";
      case INVALID_STATE_FOR_COMMAND -> "INVALID_STATE_FOR_COMMAND";
      case INCOMPLETE_UPDATE -> "INCOMPLETE_UPDATE";
      case BUSY_IN_BACKGROUND -> "BUSY_IN_BACKGROUND";
      case CANCEL_PENDING -> "CANCEL_PENDING";
      case COMMAND_NOT_EXPECTED -> "COMMAND_NOT_EXPECTED";
      case RETRY_REQUEST_FW_DATA -> "RETRY_REQUEST_FW_DATA";
      case UNABLE_TO_INITIATE_UPDATE -> "UNABLE_TO_INITIATE_UPDATE";
      case ACTIVATION_NOT_REQUIRED -> "ACTIVATION_NOT_REQUIRED";
      case SELF_CONTAINED_ACTIVATION_NOT_PERMITTED -> "SELF_CONTAINED_ACTIVATION_NOT_PERMITTED";
      case NO_DEVICE_METADATA -> "NO_DEVICE_METADATA";
      case RETRY_REQUEST_UPDATE -> "RETRY_REQUEST_UPDATE";
      case NO_PACKAGE_DATA -> "NO_PACKAGE_DATA";
      case INVALID_TRANSFER_HANDLE -> "INVALID_TRANSFER_HANDLE";
      case INVALID_TRANSFER_OPERATION_FLAG -> "INVALID_TRANSFER_OPERATION_FLAG";
      case ACTIVATE_PENDING_IMAGE_NOT_PERMITTED -> "ACTIVATE_PENDING_IMAGE_NOT_PERMITTED";
      case PACKAGE_DATA_ERROR -> "PACKAGE_DATA_ERROR";
      default -> "UNKNOWN";
    };
  }
}
