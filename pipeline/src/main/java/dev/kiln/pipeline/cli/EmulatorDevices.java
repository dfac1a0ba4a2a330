package dev.kiln.pipeline.cli;

import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import java.nio.file.Path;

/** Opens {@code emu:DIR} devices: the emulator, in-process. */
final class EmulatorDevices {
  private EmulatorDevices() {}

  static RegisterTransport open(Path directory) throws TransportException {
    throw new TransportException("emu:" + directory + ": the in-process emulator is not wired yet");
  }
}
