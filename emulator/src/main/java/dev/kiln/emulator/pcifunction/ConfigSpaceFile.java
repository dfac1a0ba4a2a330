package dev.kiln.emulator.pcifunction;

import dev.kiln.emulator.pcifunction.fuse.FuseFile;
import dev.kiln.registers.TransportException;
import dev.kiln.registers.pci.ConfigSpace;
import java.io.IOException;

/**
 * The sysfs {@code config} file of the emulated function: 4096 bytes (PCI Express extended config
 * space) mapped byte for byte onto the little-endian dwords of a {@link ConfigSpace}, as the
 * kernel's {@code pci_read_config}/{@code pci_write_config} do for a real device.
 *
 * <p>Reads and writes may start anywhere and have any length. A read touches each dword it
 * overlaps once. A write that covers a whole dword writes it; a write of part of a dword reads the
 * dword, merges the bytes and writes it back (the device model only knows dword accesses).
 * mstflint 4.21 reads the first 0x40 bytes in one read and a single byte at 0x34 ({@code
 * mtcr_ul_com.c}, {@code read_pci_config_header}, {@code pci_find_capability}), and accesses the
 * gateway with aligned 4-byte {@code pread}/{@code pwrite} ({@code READ4_PCI}/{@code WRITE4_PCI}),
 * so the gateway registers only ever see whole-dword writes.
 */
final class ConfigSpaceFile implements FuseFile {
  /** Size of the extended config space, and of the sysfs file of a PCI Express function. */
  static final int SIZE = 4096;

  private final ConfigSpace config;

  ConfigSpaceFile(ConfigSpace config) {
    this.config = config;
  }

  @Override
  public int permissions() {
    return 0644;
  }

  @Override
  public long size() {
    return SIZE;
  }

  @Override
  public boolean writable() {
    return true;
  }

  @Override
  public int read(long offset, byte[] buffer, int length) throws IOException {
    if (offset < 0 || offset >= SIZE || length <= 0) {
      return 0;
    }
    int start = (int) offset;
    int end = (int) Math.min(SIZE, offset + length);
    int out = 0;
    try {
      for (int position = start; position < end; ) {
        int dwordOffset = position & ~3;
        int value = config.readDword(dwordOffset);
        int last = Math.min(4, end - dwordOffset);
        for (int b = position - dwordOffset; b < last; b++) {
          buffer[out++] = (byte) (value >>> (8 * b));
        }
        position = dwordOffset + last;
      }
    } catch (TransportException e) {
      throw new IOException(e.getMessage(), e);
    }
    return out;
  }

  @Override
  public int write(long offset, byte[] buffer, int length) throws IOException {
    if (offset < 0 || offset >= SIZE || length <= 0) {
      return 0;
    }
    int start = (int) offset;
    int end = (int) Math.min(SIZE, offset + length);
    int in = 0;
    try {
      for (int position = start; position < end; ) {
        int dwordOffset = position & ~3;
        int first = position - dwordOffset;
        int last = Math.min(4, end - dwordOffset);
        int value = first == 0 && last == 4 ? 0 : config.readDword(dwordOffset);
        for (int b = first; b < last; b++) {
          value = (value & ~(0xFF << (8 * b))) | ((buffer[in++] & 0xFF) << (8 * b));
        }
        config.writeDword(dwordOffset, value);
        position = dwordOffset + last;
      }
    } catch (TransportException e) {
      throw new IOException(e.getMessage(), e);
    }
    return in;
  }
}
