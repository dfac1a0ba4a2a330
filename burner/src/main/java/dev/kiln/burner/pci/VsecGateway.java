package dev.kiln.burner.pci;

import dev.kiln.registers.TransportException;
import dev.kiln.registers.pci.AddressSpace;
import dev.kiln.registers.pci.ConfigSpace;
import dev.kiln.registers.pci.VsecLayout;

/**
 * The Mellanox vendor-specific PCI capability (VSEC): a window through config space onto the
 * device's internal address spaces (protocol doc §1.4).
 *
 * <p>The registers of the capability are laid out in {@link VsecLayout} (shared with the emulated
 * adapter).
 *
 * <p>A write puts the data first, then the address with the flag set, and waits for the device to
 * clear the flag. A read writes the address with the flag clear and waits for the device to set it,
 * then reads the data. Each wait is bounded ({@value #MAX_FLAG_POLLS} polls, as mstflint does).
 *
 * <p>Not thread-safe: one gateway object per open device, used by one thread at a time.
 */
public final class VsecGateway {
  /** PCI capability id of vendor-specific capabilities. */
  public static final int CAPABILITY_ID = VsecLayout.CAPABILITY_ID;

  static final int CONTROL = VsecLayout.CONTROL;
  static final int COUNTER = VsecLayout.COUNTER;
  static final int SEMAPHORE = VsecLayout.SEMAPHORE;
  static final int ADDRESS = VsecLayout.ADDRESS;
  static final int DATA = VsecLayout.DATA;

  static final int ADDRESS_FLAG = VsecLayout.ADDRESS_FLAG;
  static final int ADDRESS_MASK = VsecLayout.ADDRESS_MASK;
  static final int MAX_FLAG_POLLS = 2048;
  static final int MAX_SEMAPHORE_POLLS = 2048;

  /** PCI config header: status register (bits 31..16 of dword 0x04) bit 4 = capability list. */
  private static final int STATUS_COMMAND = 0x04;
  private static final int STATUS_CAPABILITY_LIST = 1 << (16 + 4);
  private static final int CAPABILITY_POINTER = 0x34;
  /** A capability list cannot be longer than what fits into the 256-byte legacy config space. */
  private static final int MAX_CAPABILITIES = 48;

  private final ConfigSpace config;
  private final int base;
  private AddressSpace selected;
  private boolean owned;

  private VsecGateway(ConfigSpace config, int base) {
    this.config = config;
    this.base = base;
  }

  /**
   * Walks the PCI capability list of {@code config} and returns the gateway of the first
   * vendor-specific capability.
   *
   * @throws TransportException when the function has no capability list or no VSEC capability (not
   *     a Mellanox/NVIDIA adapter, or a virtual function without one)
   */
  public static VsecGateway locate(ConfigSpace config) throws TransportException {
    int statusCommand = config.readDword(STATUS_COMMAND);
    if ((statusCommand & STATUS_CAPABILITY_LIST) == 0) {
      throw new TransportException(
          config.describe() + " has no PCI capability list, so no VSEC gateway");
    }
    int pointer = readByte(config, CAPABILITY_POINTER) & 0xFC;
    for (int hops = 0; pointer != 0 && hops < MAX_CAPABILITIES; hops++) {
      int header = config.readDword(pointer);
      if ((header & 0xFF) == CAPABILITY_ID) {
        return new VsecGateway(config, pointer);
      }
      pointer = (header >>> 8) & 0xFC;
    }
    throw new TransportException(
        config.describe()
            + " has no vendor-specific (VSEC) capability: not a ConnectX adapter, or a function"
            + " without the configuration gateway");
  }

  private static int readByte(ConfigSpace config, int offset) throws TransportException {
    int dword = config.readDword(offset & ~3);
    return (dword >>> ((offset & 3) * 8)) & 0xFF;
  }

  /** The config-space offset of the capability (for diagnostics). */
  public int offset() {
    return base;
  }

  /** The config space under this gateway. */
  public ConfigSpace config() {
    return config;
  }

  /**
   * Claims the gateway semaphore: wait for it to read 0, take a ticket from the counter, write it
   * to the semaphore and read it back; a match means this host owns the gateway.
   */
  public void acquire() throws TransportException {
    if (owned) {
      return;
    }
    for (int attempt = 0; attempt < MAX_SEMAPHORE_POLLS; attempt++) {
      if (config.readDword(base + SEMAPHORE) != 0) {
        Thread.onSpinWait();
        continue;
      }
      int ticket = config.readDword(base + COUNTER);
      config.writeDword(base + SEMAPHORE, ticket);
      if (config.readDword(base + SEMAPHORE) == ticket) {
        owned = true;
        selected = null; // another owner may have switched the space since we last held it
        return;
      }
    }
    throw new TransportException(
        config.describe()
            + ": the VSEC gateway semaphore stayed taken (another tool is using the device)");
  }

  /** Releases the gateway semaphore by writing 0. */
  public void release() throws TransportException {
    if (owned) {
      owned = false;
      config.writeDword(base + SEMAPHORE, 0);
    }
  }

  /** Whether the device supports {@code space} (selects it and reads the status bits back). */
  public boolean supports(AddressSpace space) throws TransportException {
    config.writeDword(base + CONTROL, space.code());
    int status = config.readDword(base + CONTROL) >>> VsecLayout.CONTROL_STATUS_SHIFT;
    selected = status == 0 ? null : space;
    return status != 0;
  }

  private void select(AddressSpace space) throws TransportException {
    if (space == selected) {
      return;
    }
    if (!supports(space)) {
      throw new TransportException(
          config.describe() + ": the VSEC gateway does not support address space " + space);
    }
  }

  /** Reads one dword of {@code space} at {@code address}. */
  public int read(AddressSpace space, int address) throws TransportException {
    select(space);
    checkAddress(address);
    config.writeDword(base + ADDRESS, address);
    for (int poll = 0; poll < MAX_FLAG_POLLS; poll++) {
      if ((config.readDword(base + ADDRESS) & ADDRESS_FLAG) != 0) {
        return config.readDword(base + DATA);
      }
    }
    throw timeout("read", space, address);
  }

  /** Writes one dword of {@code space} at {@code address}. */
  public void write(AddressSpace space, int address, int value) throws TransportException {
    select(space);
    checkAddress(address);
    config.writeDword(base + DATA, value);
    config.writeDword(base + ADDRESS, address | ADDRESS_FLAG);
    for (int poll = 0; poll < MAX_FLAG_POLLS; poll++) {
      if ((config.readDword(base + ADDRESS) & ADDRESS_FLAG) == 0) {
        return;
      }
    }
    throw timeout("write", space, address);
  }

  private static void checkAddress(int address) {
    if ((address & ~ADDRESS_MASK) != 0 || (address & 3) != 0) {
      throw new IllegalArgumentException(
          "VSEC addresses are dword aligned and fit in 30 bits: 0x" + Integer.toHexString(address));
    }
  }

  private TransportException timeout(String what, AddressSpace space, int address) {
    return new TransportException(
        String.format(
            "%s: VSEC gateway %s of %s address 0x%x did not complete after %d polls",
            config.describe(), what, space, address, MAX_FLAG_POLLS));
  }
}
