package dev.kiln.registers.pci;

import dev.kiln.registers.TransportException;

/**
 * The PCI configuration space of one function, dword by dword. Everything the VSEC gateway and the
 * ICMD mailbox do is expressed over these two calls, so the host's protocol code ({@code
 * burner.pci}) runs unchanged against the sysfs config file of a real adapter ({@code
 * SysfsConfigSpace}) and against an emulated one ({@code emulator.pci.EmulatedConfigSpace}, which
 * also serves the emulated PCI function of {@code kiln device exec}).
 *
 * <p>Offsets are byte offsets into config space and must be multiples of 4. Values are the dword as
 * the PCI bus sees it (config space is little-endian; implementations convert).
 */
public interface ConfigSpace extends AutoCloseable {

  /** Reads the dword at {@code offset}. */
  int readDword(int offset) throws TransportException;

  /** Writes the dword at {@code offset}. */
  void writeDword(int offset, int value) throws TransportException;

  /** A short description for messages, e.g. {@code pci:0000:03:00.0}. */
  String describe();

  @Override
  void close() throws TransportException;
}
