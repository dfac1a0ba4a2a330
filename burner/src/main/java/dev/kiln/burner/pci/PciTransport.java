package dev.kiln.burner.pci;

import dev.kiln.burner.Sleeper;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import dev.kiln.registers.pci.AddressSpace;
import dev.kiln.registers.pci.ConfigSpace;
import dev.kiln.registers.pci.VsecLayout;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * Access registers over the ICMD mailbox behind the VSEC gateway: the way a host reaches a
 * ConnectX adapter's firmware through PCI config space (protocol doc §1.2, §1.4).
 *
 * <p>One {@link #exchange} is one {@code FLASH_REG_ACCESS} ICMD command:
 *
 * <ol>
 *   <li>claim the gateway semaphore, then the ICMD semaphore (SEMAPHORE space dword 0: write our
 *       id, read it back);
 *   <li>check that the device finished its static configuration and that ICMD is not busy;
 *   <li>write the envelope into the mailbox (space ICMD (0x3), 0x100000), as big-endian dwords;
 *   <li>write the control dword at ICMD 0x0: opcode 0x9001 in bits 31..16 and the go bit (bit 0);
 *   <li>poll the control dword until the device clears the go bit, with back-off; bits 15..8 are
 *       the ICMD status;
 *   <li>read the response envelope back from the mailbox and release both semaphores.
 * </ol>
 *
 * <p>In flash-not-present ("livefish") mode the device refuses ICMD, so no register works; {@link
 * #isLivefish()} tells it from the PCI device id, which then equals the HW device id in CR-space
 * 0xF0014 (protocol doc §6.3).
 */
public final class PciTransport implements RegisterTransport {
  /** The spaces mstflint 4.21 probes when it opens a function, in its order (mtcr_pciconf_open). */
  static final List<AddressSpace> PROBE_ORDER =
      List.of(
          AddressSpace.ICMD,
          AddressSpace.NODNIC_INIT_SEG,
          AddressSpace.EXPANSION_ROM,
          AddressSpace.ND_CR_SPACE,
          AddressSpace.SCAN_CR_SPACE,
          AddressSpace.MAC,
          AddressSpace.ICMD_EXT,
          AddressSpace.SEMAPHORE,
          AddressSpace.CR_SPACE);

  /** ICMD opcode that carries an access-register envelope. */
  public static final int OPCODE_FLASH_REG_ACCESS = VsecLayout.OPCODE_FLASH_REG_ACCESS;

  static final int ICMD_CONTROL = VsecLayout.ICMD_CONTROL;
  static final int ICMD_MAILBOX_SIZE = VsecLayout.ICMD_MAILBOX_SIZE;
  static final int ICMD_MAILBOX = VsecLayout.ICMD_MAILBOX;
  static final int CONTROL_GO = VsecLayout.ICMD_GO;

  /** CR-space address whose low 16 bits are the HW device id. */
  static final int CR_HW_ID = VsecLayout.CR_HW_ID;
  /** SEMAPHORE-space dword of the ICMD semaphore and of the flash-programming semaphore. */
  static final int ICMD_SEMAPHORE = VsecLayout.ICMD_SEMAPHORE;

  static final int FLASH_SEMAPHORE = VsecLayout.FLASH_SEMAPHORE;

  static final int MAX_ICMD_SEMAPHORE_TRIES = 256;
  static final int MAX_FLASH_SEMAPHORE_TRIES = 40;
  static final int MAX_BUSY_POLLS = 5120;

  /**
   * CR-space dword whose bit 31 says "static configuration not done" (protocol doc §1.4), by HW
   * device id. Devices not listed are not checked.
   */
  private static final Map<Integer, Integer> STATIC_CONFIG_NOT_DONE =
      Map.ofEntries(
          Map.entry(0x209, 0xB0004), // ConnectX-4
          Map.entry(0x20B, 0xB0004), // ConnectX-4 Lx
          Map.entry(0x20D, 0xB5E04), // ConnectX-5
          Map.entry(0x211, 0xB5E04), // BlueField
          Map.entry(0x20F, 0xB5F04), // ConnectX-6
          Map.entry(0x212, 0xB5F04), // ConnectX-6 Dx
          Map.entry(0x214, 0xB5F04), // BlueField-2
          Map.entry(0x216, 0xB5F04), // ConnectX-6 Lx
          Map.entry(0x218, 0xB5F04), // ConnectX-7
          Map.entry(0x21C, 0xB5F04)); // BlueField-3

  private static final String[] ICMD_STATUS = {
    "ok",
    "invalid opcode",
    "invalid command",
    "operational error",
    "bad parameter",
    "busy",
    "ICM not available",
    "write protected"
  };

  private final VsecGateway gateway;
  private final Sleeper sleeper;
  private final int ownerId;
  private final int pciDeviceId;
  private final int hwDeviceId;
  private final AddressSpace icmdSpace;
  private final int mailboxSize;

  private PciTransport(
      VsecGateway gateway,
      Sleeper sleeper,
      int ownerId,
      int pciDeviceId,
      int hwDeviceId,
      AddressSpace icmdSpace,
      int mailboxSize) {
    this.gateway = gateway;
    this.sleeper = sleeper;
    this.ownerId = ownerId;
    this.pciDeviceId = pciDeviceId;
    this.hwDeviceId = hwDeviceId;
    this.icmdSpace = icmdSpace;
    this.mailboxSize = mailboxSize;
  }

  /**
   * Opens the ICMD channel of the function behind {@code config}. Takes ownership of {@code
   * config}: closing the transport closes it.
   *
   * @param ownerId the value written into semaphores to claim them (mstflint uses its PID); never 0
   */
  public static PciTransport open(ConfigSpace config, Sleeper sleeper, int ownerId)
      throws TransportException {
    if (ownerId == 0) {
      throw new IllegalArgumentException("a semaphore owner id of 0 means 'free'");
    }
    try {
      int pciDeviceId = config.readDword(0) >>> 16;
      VsecGateway gateway = VsecGateway.locate(config);
      gateway.acquire();
      try {
        // mstflint 4.21 probes every space once when it opens the function, in this order, and
        // then runs the ICMD mailbox in space ICMD (0x3) only: ICMD_EXT (0x1) is probed, never
        // used (mtcr_ul/mtcr_ul_com.c, mtcr_pciconf_open and get_space_support_status;
        // mtcr_ul/mtcr_ul_icmd_cif.c, SET_SPACE_FOR_ICMD_ACCESS selects AS_ICMD).
        EnumSet<AddressSpace> offered = EnumSet.noneOf(AddressSpace.class);
        for (AddressSpace space : PROBE_ORDER) {
          if (gateway.supports(space)) {
            offered.add(space);
          }
        }
        int hwDeviceId = gateway.read(AddressSpace.CR_SPACE, CR_HW_ID) & 0xFFFF;
        if (pciDeviceId == hwDeviceId) {
          // Livefish: ICMD is refused, there is no mailbox to size.
          return new PciTransport(gateway, sleeper, ownerId, pciDeviceId, hwDeviceId, null, 0);
        }
        // The mailbox lives in space ICMD (0x3), as mstflint 4.21 puts it (mtcr_ul/mtcr_ul_com.c
        // probes ICMD_EXT but does not use it) and as the real ConnectX-5 trace shows
        // (../shared/fixtures/real-cx5-query: every mailbox access is in space 0x3).
        AddressSpace icmdSpace = AddressSpace.ICMD;
        if (!offered.contains(icmdSpace)) {
          throw new TransportException(
              config.describe() + ": the VSEC gateway offers no ICMD address space (0x3)"
                  + (offered.contains(AddressSpace.ICMD_EXT)
                      ? "; it offers ICMD_EXT (0x1), which mstflint does not use for the mailbox"
                      : ""));
        }
        int mailboxSize = gateway.read(icmdSpace, ICMD_MAILBOX_SIZE);
        if (mailboxSize < 64 || mailboxSize > 0x10000 || (mailboxSize & 3) != 0) {
          throw new TransportException(
              config.describe() + ": implausible ICMD mailbox size " + mailboxSize);
        }
        return new PciTransport(
            gateway, sleeper, ownerId, pciDeviceId, hwDeviceId, icmdSpace, mailboxSize);
      } finally {
        gateway.release();
      }
    } catch (TransportException | RuntimeException e) {
      config.close();
      throw e;
    }
  }

  /** The PCI device id in config space. */
  public int pciDeviceId() {
    return pciDeviceId;
  }

  /** The HW device id from CR-space 0xF0014. */
  public int hwDeviceId() {
    return hwDeviceId;
  }

  /** Whether the device runs in flash-not-present (livefish) recovery mode. */
  public boolean isLivefish() {
    return icmdSpace == null;
  }

  /** The size of the ICMD mailbox in bytes: the largest envelope this transport can carry. */
  public int mailboxSize() {
    return mailboxSize;
  }

  @Override
  public byte[] exchange(byte[] request) throws TransportException {
    if (isLivefish()) {
      throw new TransportException(
          describe()
              + " is in flash-not-present (livefish) recovery mode: the ICMD gateway is locked,"
              + " so no access register works");
    }
    if (request.length % 4 != 0 || request.length > mailboxSize) {
      throw new TransportException(
          String.format(
              "%s: an envelope of %d bytes does not fit the %d-byte ICMD mailbox",
              describe(), request.length, mailboxSize));
    }
    gateway.acquire();
    try {
      lockSemaphore(ICMD_SEMAPHORE, MAX_ICMD_SEMAPHORE_TRIES, "ICMD semaphore");
      try {
        return runCommand(request);
      } finally {
        gateway.write(AddressSpace.SEMAPHORE, ICMD_SEMAPHORE, 0);
      }
    } finally {
      gateway.release();
    }
  }

  private byte[] runCommand(byte[] request) throws TransportException {
    checkStaticConfigDone();
    int control = gateway.read(icmdSpace, ICMD_CONTROL);
    if ((control & CONTROL_GO) != 0) {
      control = waitUntilIdle();
    }
    ByteBuffer in = ByteBuffer.wrap(request);
    for (int offset = 0; offset < request.length; offset += 4) {
      gateway.write(icmdSpace, ICMD_MAILBOX + offset, in.getInt(offset));
    }
    gateway.write(icmdSpace, ICMD_CONTROL, (OPCODE_FLASH_REG_ACCESS << 16) | CONTROL_GO);
    control = waitUntilIdle();
    int status = (control >>> 8) & 0xFF;
    if (status != 0) {
      String text = status < ICMD_STATUS.length ? ICMD_STATUS[status] : "unknown status";
      throw new TransportException(
          String.format("%s: ICMD command failed with status %d (%s)", describe(), status, text));
    }
    ByteBuffer out = ByteBuffer.allocate(request.length);
    for (int offset = 0; offset < request.length; offset += 4) {
      out.putInt(offset, gateway.read(icmdSpace, ICMD_MAILBOX + offset));
    }
    return out.array();
  }

  /** Polls the busy bit with back-off: a few fast polls, then growing sleeps up to 8 ms. */
  private int waitUntilIdle() throws TransportException {
    for (int poll = 0; poll < MAX_BUSY_POLLS; poll++) {
      int control = gateway.read(icmdSpace, ICMD_CONTROL);
      if ((control & CONTROL_GO) == 0) {
        return control;
      }
      if (poll >= 16) {
        pause(Math.min(8, 1L << Math.min(3, (poll - 16) / 64)));
      }
    }
    throw new TransportException(
        describe() + ": the ICMD command did not complete (device busy for too long)");
  }

  private void checkStaticConfigDone() throws TransportException {
    Integer address = STATIC_CONFIG_NOT_DONE.get(hwDeviceId);
    if (address != null && gateway.read(AddressSpace.CR_SPACE, address) < 0) {
      throw new TransportException(
          describe() + ": the firmware has not finished its static configuration; retry later");
    }
  }

  /**
   * Takes a SEMAPHORE-space semaphore: write our id, read it back, a match means ours. Used for the
   * ICMD semaphore and for the flash-programming semaphore.
   */
  private void lockSemaphore(int address, int tries, String name) throws TransportException {
    for (int attempt = 0; attempt < tries; attempt++) {
      gateway.write(AddressSpace.SEMAPHORE, address, ownerId);
      if (gateway.read(AddressSpace.SEMAPHORE, address) == ownerId) {
        return;
      }
      pause(attempt < 8 ? 1 : 10);
    }
    throw new TransportException(
        describe() + ": could not take the " + name + " (another tool is using the device)");
  }

  /**
   * Takes the flash-programming semaphore that mstflint holds around an MCC burn (protocol doc
   * §1.4). Release it with {@link #unlockFlashSemaphore()}.
   */
  public void lockFlashSemaphore() throws TransportException {
    gateway.acquire();
    try {
      try {
        lockSemaphore(FLASH_SEMAPHORE, MAX_FLASH_SEMAPHORE_TRIES, "flash semaphore");
      } catch (TransportException e) {
        throw new TransportException(describe() + ": Failed to lock flash semaphore", e);
      }
    } finally {
      gateway.release();
    }
  }

  /**
   * Who holds the flash-programming semaphore: the id its holder wrote (mstflint and kiln write
   * their process id), 0 when it is free.
   */
  public int flashSemaphoreOwner() throws TransportException {
    gateway.acquire();
    try {
      return gateway.read(AddressSpace.SEMAPHORE, FLASH_SEMAPHORE);
    } finally {
      gateway.release();
    }
  }

  /** Releases the flash-programming semaphore. */
  public void unlockFlashSemaphore() throws TransportException {
    gateway.acquire();
    try {
      gateway.write(AddressSpace.SEMAPHORE, FLASH_SEMAPHORE, 0);
    } finally {
      gateway.release();
    }
  }

  private void pause(long millis) throws TransportException {
    try {
      sleeper.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException(describe() + ": interrupted while waiting for the device", e);
    }
  }

  @Override
  public String describe() {
    return gateway.config().describe();
  }

  @Override
  public void close() throws TransportException {
    gateway.config().close();
  }
}
