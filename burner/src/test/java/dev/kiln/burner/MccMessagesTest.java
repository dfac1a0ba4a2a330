package dev.kiln.burner;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.registers.MccErrorCode;
import org.junit.jupiter.api.Test;

/** Each MCC error names its cause in the operator's words, plus the device's own text. */
class MccMessagesTest {

  @Test
  void everyCodeHasOneSentenceWithItsCodeAndHostText() {
    for (MccErrorCode error : MccErrorCode.values()) {
      String message = MccMessages.describe(error);
      assertTrue(message.contains(error.hostText()), message);
      assertFalse(message.contains("\n"), message);
    }
    assertTrue(MccMessages.describe(MccErrorCode.REJECTED_AUTH_FAILED).startsWith("signature"));
    assertTrue(MccMessages.describe(MccErrorCode.REJECTED_NOT_APPLICABLE).startsWith("wrong"));
    assertTrue(
        MccMessages.describe(MccErrorCode.REJECTED_FORBIDDEN_VERSION).startsWith("forbidden"));
    assertTrue(
        MccMessages.describe(MccErrorCode.FW_BURN_REJECTED_INVALID_SECURITY_VERSION)
            .startsWith("security version rollback"));
    assertTrue(MccMessages.describe(MccErrorCode.REJECTED_UNKNOWN_KEY).startsWith("untrusted"));
    assertTrue(MccMessages.describe(MccErrorCode.UNKNOWN).contains("MCC error unknown"));
  }

  @Test
  void imageRejectionsAreSeparatedFromDeviceFailures() {
    assertTrue(MccMessages.isImageRejection(MccErrorCode.REJECTED_UNSIGNED));
    assertFalse(MccMessages.isImageRejection(MccErrorCode.BLOCKED_PENDING_RESET));
    assertFalse(MccMessages.isImageRejection(MccErrorCode.FLASH_ERASE_ERROR));
  }
}
