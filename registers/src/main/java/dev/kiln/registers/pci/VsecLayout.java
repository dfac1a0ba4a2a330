package dev.kiln.registers.pci;

/**
 * Where the Mellanox vendor-specific PCI capability (VSEC) and the ICMD mailbox behind it keep
 * their registers: the layout both sides of the config-space gateway speak, the host ({@code
 * burner.pci.VsecGateway}, {@code PciTransport}) and the emulated adapter ({@code
 * emulator.pci.EmulatedConfigSpace}). Protocol doc §1.4; mstflint 4.21 {@code
 * mtcr_ul/mtcr_ul_com.c} ({@code mtcr_pciconf_cap9_sem}, {@code mtcr_pciconf_set_addr_space},
 * {@code mtcr_pciconf_rw}) and {@code mtcr_ul/mtcr_ul_icmd_cif.c}.
 *
 * <p>Registers of the capability, relative to its offset in config space:
 *
 * <pre>
 * +0x00  capability header: id 0x09 (bits 7..0), next pointer (bits 15..8), length (bits 23..16)
 * +0x04  control: address space (bits 15..0); status (bits 31..29), 0 = space not supported
 * +0x08  counter: the ticket a host uses to claim the gateway semaphore
 * +0x0C  semaphore: 0 = free; holds the owner's ticket while taken
 * +0x10  address: bits 29..0 the address inside the space, bit 31 the flag
 * +0x14  data
 * </pre>
 *
 * <p>Inside the ICMD space: the control dword at 0x0 (opcode in bits 31..16, status in bits 15..8,
 * go bit 0), the mailbox size at 0x1000 and the mailbox at 0x100000. Inside the SEMAPHORE space:
 * the ICMD semaphore at 0x0 and the flash-programming semaphore at 0x10. In CR space the low 16
 * bits of 0xF0014 are the HW device id, bits 23..16 the HW revision (mstflint 4.21 {@code
 * dev_mgt/tools_dev_types.c}, {@code DEVID_ADDR}).
 */
public final class VsecLayout {
  private VsecLayout() {}

  /** PCI capability id of vendor-specific capabilities. */
  public static final int CAPABILITY_ID = 0x09;

  /** Control register: address space select and support status. */
  public static final int CONTROL = 0x4;
  /** Counter register: gateway-semaphore tickets. */
  public static final int COUNTER = 0x8;
  /** Gateway semaphore register. */
  public static final int SEMAPHORE = 0xC;
  /** Address register with the flag in bit 31. */
  public static final int ADDRESS = 0x10;
  /** Data register. */
  public static final int DATA = 0x14;

  /** The flag bit of the address register. */
  public static final int ADDRESS_FLAG = 0x8000_0000;
  /** The address bits of the address register. */
  public static final int ADDRESS_MASK = 0x3FFF_FFFF;
  /** Bit position of the 3-bit "space supported" status in the control register. */
  public static final int CONTROL_STATUS_SHIFT = 29;

  /** ICMD space: the control dword. */
  public static final int ICMD_CONTROL = 0x0;
  /** ICMD space: the mailbox size in bytes. */
  public static final int ICMD_MAILBOX_SIZE = 0x1000;
  /** ICMD space: the first dword of the mailbox. */
  public static final int ICMD_MAILBOX = 0x100000;
  /** The go bit of the ICMD control dword. */
  public static final int ICMD_GO = 0x1;
  /** ICMD opcode that carries an access-register envelope. */
  public static final int OPCODE_FLASH_REG_ACCESS = 0x9001;

  /** SEMAPHORE space: the ICMD semaphore. */
  public static final int ICMD_SEMAPHORE = 0x0;
  /** SEMAPHORE space: the flash-programming semaphore. */
  public static final int FLASH_SEMAPHORE = 0x10;

  /** CR space: HW device id (bits 15..0) and HW revision (bits 23..16). */
  public static final int CR_HW_ID = 0xF0014;
}
