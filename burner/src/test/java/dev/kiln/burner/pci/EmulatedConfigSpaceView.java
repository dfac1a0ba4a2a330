package dev.kiln.burner.pci;

import dev.kiln.registers.TransportException;
import dev.kiln.emulator.pci.EmulatedConfigSpace;
import dev.kiln.registers.pci.ConfigSpace;

/** A second handle onto a shared emulated config space whose close leaves the device open. */
final class EmulatedConfigSpaceView implements ConfigSpace {
  private final EmulatedConfigSpace shared;

  private EmulatedConfigSpaceView(EmulatedConfigSpace shared) {
    this.shared = shared;
  }

  static ConfigSpace of(EmulatedConfigSpace shared) {
    return new EmulatedConfigSpaceView(shared);
  }

  @Override
  public int readDword(int offset) throws TransportException {
    return shared.readDword(offset);
  }

  @Override
  public void writeDword(int offset, int value) throws TransportException {
    shared.writeDword(offset, value);
  }

  @Override
  public String describe() {
    return shared.describe();
  }

  @Override
  public void close() {}
}
