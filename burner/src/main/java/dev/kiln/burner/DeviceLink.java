package dev.kiln.burner;

import dev.kiln.registers.TransportException;

/**
 * What every part of a {@link SecureDevice} session talks through: the register client, the
 * sleeper for polls, and the device URI as the user named it (for messages).
 */
record DeviceLink(RegisterClient client, Sleeper sleeper, String uri) {
  /** Sleeps between polls; an interrupt ends the session with a transport error. */
  void pause(long millis) throws TransportException {
    try {
      sleeper.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException(uri + ": interrupted", e);
    }
  }
}
