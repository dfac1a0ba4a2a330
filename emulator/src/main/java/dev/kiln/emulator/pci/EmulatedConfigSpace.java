package dev.kiln.emulator.pci;

import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import dev.kiln.registers.pci.AddressSpace;
import dev.kiln.registers.pci.ConfigSpace;
import dev.kiln.registers.pci.VsecLayout;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The device side of the VSEC gateway and the ICMD mailbox, played in front of any {@link
 * RegisterTransport} (usually the emulator). It lets the host's PCI path ({@code
 * burner.pci.VsecGateway}, {@code PciTransport}) run end to end without hardware, and it is what
 * the emulated PCI function of {@code kiln device exec} serves to mstflint through FUSE: the host
 * writes config-space dwords, this class decodes them exactly as the adapter would ({@link
 * VsecLayout}) and hands each completed {@code FLASH_REG_ACCESS} mailbox to the transport.
 *
 * <p>Config-space layout it presents:
 *
 * <pre>
 * 0x00  vendor id 0x15B3 (bits 15..0), device id (bits 31..16)
 * 0x04  command/status; status bit 4 (capability list) set
 * 0x34  capability pointer = 0x40
 * 0x40  power-management capability (id 0x01), next = 0x60 (so the host has to walk the list)
 * 0x60  VSEC capability (id 0x09), next = 0, then the gateway registers of {@link VsecLayout}
 * </pre>
 *
 * <p>Internal spaces: ICMD (and, unless disabled, ICMD_EXT) with the control dword at 0x0, the
 * mailbox size at 0x1000 and the mailbox at 0x100000; SEMAPHORE with the ICMD semaphore at 0x0 and
 * the flash semaphore at 0x10; CR_SPACE with the HW device id at 0xF0014 and, when the function
 * has a flash and the device is in livefish, the flash gateway at 0xF0400-0xF0423 ({@link
 * CrSpaceFlashGateway}); all other addresses read 0. Gateway accesses and ICMD commands can be
 * made to complete only after a number of polls, to
 * exercise the host's polling loops. All methods are synchronized: several hosts may share one.
 */
public final class EmulatedConfigSpace implements ConfigSpace {
  public static final int VENDOR_ID = 0x15B3;
  /** Config-space offset of the VSEC capability. */
  public static final int VSEC_OFFSET = 0x60;
  private static final int PM_OFFSET = 0x40;

  private final RegisterTransport device;
  private final int pciDeviceId;
  private final int hwDeviceId;
  private final boolean offerIcmdExt;
  private final int mailboxSize;
  private final int gatewayDelayPolls;
  private final int icmdDelayPolls;
  /** The CR-space flash gateway (livefish only), or null when the function has none. */
  private final CrSpaceFlashGateway flashGateway;

  /** The 1024 dwords of the config header and capabilities (what is not a gateway register). */
  private final int[] configDwords = new int[1024];
  private int selectedSpace;
  private int addressRegister;
  private int dataRegister;
  private int gatewayPollsLeft;
  private int counter = 1;
  private int gatewaySemaphore;
  private int icmdControl;
  private int icmdPollsLeft;
  private final byte[] mailbox;
  /**
   * Big-endian dwords of the mailbox, as the ICMD interface numbers them: one view, so the hot
   * path allocates nothing (mstflint makes thousands of accesses per register batch).
   */
  private final ByteBuffer mailboxView;
  private final Map<Integer, Integer> semaphores = new HashMap<>();
  private long configAccesses;
  private long icmdCommands;
  private boolean closed;

  private EmulatedConfigSpace(Builder builder) {
    this.device = builder.device;
    this.pciDeviceId = builder.pciDeviceId;
    this.hwDeviceId = builder.hwDeviceId;
    this.offerIcmdExt = builder.offerIcmdExt;
    this.mailboxSize = builder.mailboxSize;
    this.gatewayDelayPolls = builder.gatewayDelayPolls;
    this.icmdDelayPolls = builder.icmdDelayPolls;
    this.flashGateway =
        builder.flash == null ? null : new CrSpaceFlashGateway(builder.flash);
    this.mailbox = new byte[mailboxSize];
    this.mailboxView = ByteBuffer.wrap(mailbox);
    configDwords[0x00 / 4] = VENDOR_ID | (pciDeviceId << 16);
    configDwords[0x04 / 4] = 1 << (16 + 4);
    configDwords[0x08 / 4] = 0x0200_0000; // class code: network controller
    configDwords[0x34 / 4] = PM_OFFSET;
    configDwords[PM_OFFSET / 4] = 0x01 | (VSEC_OFFSET << 8);
    configDwords[VSEC_OFFSET / 4] = VsecLayout.CAPABILITY_ID | (0x18 << 16);
  }

  /** A builder for a device answering registers through {@code device}. */
  public static Builder builder(RegisterTransport device) {
    return new Builder(device);
  }

  /** Config-space reads and writes so far: the host-side cost measure of the PCI path. */
  public synchronized long configAccesses() {
    return configAccesses;
  }

  /** ICMD commands executed so far. */
  public synchronized long icmdCommands() {
    return icmdCommands;
  }

  /** The current holder of a SEMAPHORE-space semaphore (0 = free). */
  public synchronized int semaphoreOwner(int address) {
    return semaphores.getOrDefault(address, 0);
  }

  @Override
  public synchronized int readDword(int offset) throws TransportException {
    checkOpen(offset);
    configAccesses++;
    int vsecRegister = offset - VSEC_OFFSET;
    switch (vsecRegister) {
      case VsecLayout.CONTROL:
        return selectedSpace | (spaceSupported(selectedSpace) ? 1 << 29 : 0);
      case VsecLayout.COUNTER:
        return counter++;
      case VsecLayout.SEMAPHORE:
        return gatewaySemaphore;
      case VsecLayout.ADDRESS:
        return readAddressRegister();
      case VsecLayout.DATA:
        return dataRegister;
      default:
        return configDwords[offset / 4];
    }
  }

  @Override
  public synchronized void writeDword(int offset, int value) throws TransportException {
    checkOpen(offset);
    configAccesses++;
    int vsecRegister = offset - VSEC_OFFSET;
    switch (vsecRegister) {
      case VsecLayout.CONTROL -> selectedSpace = value & 0xFFFF;
      case VsecLayout.SEMAPHORE -> {
        // The semaphore only changes hands when it is free, or is released by a write of 0.
        if (value == 0 || gatewaySemaphore == 0) {
          gatewaySemaphore = value;
        }
      }
      case VsecLayout.ADDRESS -> startGatewayAccess(value);
      case VsecLayout.DATA -> dataRegister = value;
      default -> {
        // Writes to the rest of the header are ignored, as read-only registers would be.
      }
    }
  }

  private void checkOpen(int offset) throws TransportException {
    if (closed) {
      throw new TransportException(describe() + " is closed");
    }
    if ((offset & 3) != 0 || offset < 0 || offset >= 0x1000) {
      throw new TransportException(describe() + ": bad config-space offset " + offset);
    }
  }

  /**
   * Which spaces the gateway offers. The VSEC and its spaces are hardware: a real adapter offers
   * them in livefish too, and mstflint 4.21 requires CR space, ICMD_EXT and SEMAPHORE before it
   * uses the gateway at all ({@code include/mtcr_ul/mtcr_com_defs.h}, {@code
   * VSEC_MIN_SUPPORT_UL}; without them it falls back to the legacy gateway at 0x58, which no
   * ConnectX-4 or later has). What livefish refuses is ICMD, and mstflint does not even try it:
   * it compares the PCI device id with the HW id at CR 0xF0014 first ({@code
   * mtcr_ul/mtcr_ul_icmd_cif.c}, {@code is_livefish_device}, {@code icmd_open}).
   */
  private boolean spaceSupported(int space) {
    if (space == AddressSpace.CR_SPACE.code() || space == AddressSpace.SEMAPHORE.code()) {
      return true;
    }
    return space == AddressSpace.ICMD.code()
        || (offerIcmdExt && space == AddressSpace.ICMD_EXT.code());
  }

  private boolean isLivefish() {
    return pciDeviceId == hwDeviceId;
  }

  /**
   * The flag in the address register completes after {@code gatewayDelayPolls} reads: it reads 0
   * after a write request (flag 1) and 1 after a read request (flag 0).
   */
  private int readAddressRegister() {
    boolean writeRequest = (addressRegister & VsecLayout.ADDRESS_FLAG) != 0;
    if (gatewayPollsLeft > 0) {
      gatewayPollsLeft--;
      return addressRegister;
    }
    return writeRequest
        ? addressRegister & ~VsecLayout.ADDRESS_FLAG
        : addressRegister | VsecLayout.ADDRESS_FLAG;
  }

  private void startGatewayAccess(int value) throws TransportException {
    addressRegister = value;
    gatewayPollsLeft = gatewayDelayPolls;
    if (!spaceSupported(selectedSpace)) {
      return; // the device ignores accesses to spaces it does not offer; the host times out
    }
    int address = value & VsecLayout.ADDRESS_MASK;
    if ((value & VsecLayout.ADDRESS_FLAG) != 0) {
      spaceWrite(selectedSpace, address, dataRegister);
    } else {
      dataRegister = spaceRead(selectedSpace, address);
    }
  }

  private int spaceRead(int space, int address) {
    if (space == AddressSpace.CR_SPACE.code()) {
      if (flashGateway != null && flashGateway.claims(address)) {
        return flashGateway.read(address);
      }
      return address == VsecLayout.CR_HW_ID ? hwDeviceId : 0;
    }
    if (space == AddressSpace.SEMAPHORE.code()) {
      return semaphores.getOrDefault(address, 0);
    }
    // ICMD or ICMD_EXT
    if (address == VsecLayout.ICMD_CONTROL) {
      if ((icmdControl & VsecLayout.ICMD_GO) != 0 && icmdPollsLeft-- <= 0) {
        icmdControl &= ~VsecLayout.ICMD_GO;
      }
      return icmdControl;
    }
    if (address == VsecLayout.ICMD_MAILBOX_SIZE) {
      return mailboxSize;
    }
    int mailboxOffset = address - VsecLayout.ICMD_MAILBOX;
    if (mailboxOffset >= 0 && mailboxOffset + 4 <= mailboxSize) {
      return mailboxView.getInt(mailboxOffset);
    }
    return 0;
  }

  private void spaceWrite(int space, int address, int value) throws TransportException {
    if (space == AddressSpace.CR_SPACE.code()) {
      if (flashGateway != null && flashGateway.claims(address)) {
        flashGateway.write(address, value);
      }
      // Other CR-space writes (and all of them on secure FW, whose flash gateway is blocked)
      // are refused without a CS token; modelled as ignored.
      return;
    }
    if (space == AddressSpace.SEMAPHORE.code()) {
      int owner = semaphores.getOrDefault(address, 0);
      if (value == 0 || owner == 0) {
        semaphores.put(address, value);
      }
      return;
    }
    if (address == VsecLayout.ICMD_CONTROL) {
      icmdControl = value;
      if ((value & VsecLayout.ICMD_GO) != 0) {
        executeIcmd(value >>> 16);
      }
      return;
    }
    int mailboxOffset = address - VsecLayout.ICMD_MAILBOX;
    if (mailboxOffset >= 0 && mailboxOffset + 4 <= mailboxSize) {
      mailboxView.putInt(mailboxOffset, value);
    }
  }

  /**
   * Runs one ICMD command. The command completes at once inside this call, but the go bit stays
   * set for {@code icmdDelayPolls} reads of the control dword, as a slow device would show it.
   */
  private void executeIcmd(int opcode) throws TransportException {
    icmdCommands++;
    icmdPollsLeft = icmdDelayPolls;
    int status;
    if (opcode != VsecLayout.OPCODE_FLASH_REG_ACCESS) {
      status = 1; // invalid opcode
    } else {
      int length = envelopeLength();
      if (length < 0) {
        status = 4; // bad parameter: the mailbox holds no well-formed envelope
      } else {
        byte[] request = new byte[length];
        System.arraycopy(mailbox, 0, request, 0, length);
        byte[] response = device.exchange(request);
        System.arraycopy(response, 0, mailbox, 0, Math.min(response.length, mailboxSize));
        status = 0;
      }
    }
    icmdControl = (icmdControl & ~0xFF00) | (status << 8);
  }

  /**
   * The envelope length: the 16-byte operation TLV plus the register TLV, whose header (bits
   * 26..16 of dword 4) gives its length in dwords (protocol doc §1.2).
   */
  private int envelopeLength() {
    ByteBuffer buffer = mailboxView;
    int registerTlv = buffer.getInt(16);
    int type = registerTlv >>> 27;
    int dwords = (registerTlv >>> 16) & 0x7FF;
    int length = 16 + dwords * 4;
    if (type != 3 || dwords < 1 || length > mailboxSize) {
      return -1;
    }
    return length;
  }

  @Override
  public String describe() {
    return "pci-emulated:" + device.describe();
  }

  @Override
  public synchronized void close() throws TransportException {
    if (!closed) {
      closed = true;
      device.close();
    }
  }

  /** Options of the emulated function. */
  public static final class Builder {
    private final RegisterTransport device;
    private int pciDeviceId = 4125; // ConnectX-6 Dx
    private int hwDeviceId = 0x212;
    private boolean offerIcmdExt = true;
    private int mailboxSize = 0x340;
    private int gatewayDelayPolls;
    private int icmdDelayPolls;
    private CrSpaceFlashGateway.RawFlash flash;

    private Builder(RegisterTransport device) {
      this.device = device;
    }

    /** PCI and HW device ids; equal ids put the function into livefish mode. */
    public Builder deviceIds(int pciDeviceId, int hwDeviceId) {
      this.pciDeviceId = pciDeviceId;
      this.hwDeviceId = hwDeviceId;
      return this;
    }

    /** Whether the ICMD_EXT space is offered (otherwise the host must fall back to ICMD). */
    public Builder offerIcmdExt(boolean offer) {
      this.offerIcmdExt = offer;
      return this;
    }

    /** The ICMD mailbox size in bytes. */
    public Builder mailboxSize(int bytes) {
      this.mailboxSize = bytes;
      return this;
    }

    /** Polls of the address flag before each gateway access completes. */
    public Builder gatewayDelayPolls(int polls) {
      this.gatewayDelayPolls = polls;
      return this;
    }

    /** Polls of the ICMD go bit before each command shows as complete. */
    public Builder icmdDelayPolls(int polls) {
      this.icmdDelayPolls = polls;
      return this;
    }

    /**
     * The flash behind the CR-space flash gateway ({@link CrSpaceFlashGateway}); without it the
     * gateway registers read 0 in every mode, as on a device whose gateway is blocked.
     */
    public Builder flash(CrSpaceFlashGateway.RawFlash rawFlash) {
      this.flash = rawFlash;
      return this;
    }

    public EmulatedConfigSpace build() {
      return new EmulatedConfigSpace(this);
    }
  }
}
