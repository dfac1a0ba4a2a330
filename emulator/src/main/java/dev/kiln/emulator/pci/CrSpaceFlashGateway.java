package dev.kiln.emulator.pci;

import dev.kiln.registers.TransportException;
import java.util.Arrays;

/**
 * The device side of the CR-space flash gateway through which mstflint reaches the SPI flash of
 * an adapter in flash recovery (livefish): a command register, an address register and four data
 * dwords in CR space (space 2 of the VSEC), behind which sits one SPI flash chip. The host puts an
 * SPI command in the command register; the gateway runs it against the flash and clears the busy
 * bit. It is plugged into {@link EmulatedConfigSpace}'s CR-space reads and writes and backed by
 * the emulator's raw livefish gateway ({@link RawFlash}, over {@code EmulatedDevice.gatewayRead}
 * and {@code gatewayWrite}), so what mstflint writes lands in the same flash under the same rule:
 * only a device in recovery lets the host at its flash. A device running secure FW blocks the
 * gateway: then this class claims no address, the CR space reads 0 there as before, and mstflint
 * finds no flash ({@code MFE_NO_FLASH_DETECTED} for {@code -ocr} and {@code rw}, as against a
 * real secure adapter).
 *
 * <p>Where each fact comes from (mstflint 4.21):
 *
 * <ul>
 *   <li>How the registers are reached: mflash's {@code MREAD4}/{@code MWRITE4} and {@code
 *       mread4_block} go through mtcr, which on a function with the VSEC uses its gateway with
 *       the default address space CR space (0x2) for every dword ({@code mtcr_ul/mtcr_ul_com.c},
 *       {@code mtcr_pciconf_open}: {@code address_space = AS_CR_SPACE}, {@code
 *       mtcr_pciconf_mread4}, {@code mread4_block_pciconf}; {@code include/mtcr_ul/mtcr_com_defs.h}
 *       {@code AS_CR_SPACE}), which {@link EmulatedConfigSpace} decodes.
 *   <li>Which gateway: ConnectX-4 and later (not 7 nm) take {@code fifth_gen_flash_init} and,
 *       with no cache replacement pending, {@code fifth_gen_init_direct_access}: the "old" gateway
 *       at {@code HCR_FLASH_CMD}, functions {@code cntx_*} of {@code mflash/mflash_gw.c}; 7 nm
 *       devices (ConnectX-7/8, BlueField-3, Quantum-2) use the new gateway of {@code
 *       mflash_new_gw.c} ({@code mflash/mflash.c} {@code mf_open_fw}; {@code
 *       mflash/mflash_dev_capability.c} {@code is_icmdif_supported} sets {@code is7NmSuppported}).
 *       Only the old gateway is modelled, so the emulated chips are the ConnectX-4 to 6 family.
 *   <li>Addresses ({@code mflash/mflash_pack_layer.h}, {@code CntxCrConstants}): command 0xF0400,
 *       address 0xF0404, cache-replacement offset 0xF0408 and command 0xF040C, data 0xF0410 to
 *       0xF041C, cache-replacement enable 0xF0420. mstflint reads the two cache-replacement words
 *       first and uses the gateway directly only when both are 0 ({@code mflash.c} {@code
 *       check_cache_replacement_guard}); it clears bit 0 of the enable word while it holds the
 *       flash and sets it again after ({@code disable_cache_replacement}, {@code
 *       restore_cache_replacemnt}).
 *   <li>Command word bits ({@code CntxCrConstants}): 0 read, 2 command phase, 3 address phase, 4
 *       data phase, 5 chip-select hold, 8..10 log2 of the data size, 11 chip select, 14 4-byte
 *       address, 16..23 the SPI opcode, 30 busy, 31 the flash semaphore.
 *   <li>The semaphore is bit 31 of the command word: a read returns it and takes it when it was
 *       free, mstflint keeps it set in every command it writes and frees it by writing 0 ({@code
 *       mflash.c} {@code is4_flash_lock}; {@code connectib_flash_lock}; {@code mflash_gw.c}
 *       {@code cntx_exec_cmd}). Busy (bit 30) is polled until clear ({@code gw_wait_ready}).
 *   <li>Data: a read command returns its bytes in the data dwords, first byte in the top bits;
 *       a status or id read of n bytes is the top n bytes of data dword 0 ({@code mflash_gw.c}
 *       {@code cntx_int_spi_get_status_data}, {@code cntx_st_spi_block_read_ex}); a program
 *       command takes its bytes the same way ({@code cntx_st_spi_block_write_ex}). mstflint moves
 *       16 bytes per command ({@code mflash.c} {@code spi_fill_attr_from_params}: {@code
 *       block_write = 16}), the first with command and address phases, the following ones of the
 *       same page with the data phase only, chip select held in between.
 *   <li>SPI opcodes ({@code mflash/mflash_common_structs.h}): 0x9F JEDEC id, 0x05 read status
 *       (bit 0 write in progress, bit 1 write enabled), 0x06 write enable, 0x01 write status, 0x35
 *       and 0x15 status 2 and configuration, 0x03/0x13 read (3/4-byte address), 0x02/0x12 page
 *       program, 0x20/0x21 4 KiB subsector erase, 0xD8/0xDC 64 KiB sector erase. 4-byte commands
 *       are used for flashes of 32 MiB and more on ConnectX-6 and later ({@code mflash.c} {@code
 *       gen_access_commands}, {@code mflash_dev_capability.c} {@code
 *       is_four_byte_address_needed}); the gateway then also sets bit 14.
 *   <li>Flash identification ({@code mflash.c} {@code cntx_get_flash_info}, {@code
 *       get_info_from_jededc_id}, {@code is_no_flash_detected}, {@code g_flash_info_arr}): the id
 *       is vendor, memory type, density (log2 of the size in bytes); all 0 or all 0xFF is "no
 *       flash". We present a Winbond part of the table: vendor 0xEF, type 0x40 ({@code
 *       W25QxxBV}, 1 to 16 MiB, 4 KiB subsectors) or type 0x70 at 32 MiB ({@code W25Qxxx}). A
 *       flash size that is no power of two in that range has no chip in the table: the gateway
 *       then answers the id as absent.
 * </ul>
 *
 * <p>Flash semantics, as an SPI NOR chip behaves: program and erase need write enable first and
 * clear it when done; a program only clears bits (new = old AND data) and wraps within its
 * 256-byte page; erase sets a whole aligned block to 0xFF; operations complete at once (status
 * never shows write in progress). Not modelled: other banks (chip select 1 finds nothing), the
 * status-register protection bits, SFDP, quad mode, the new gateway.
 *
 * <p>Not thread-safe: {@link EmulatedConfigSpace}'s monitor guards every call.
 */
public final class CrSpaceFlashGateway {
  /** The flash the gateway drives: the emulator's raw livefish gateway. */
  public interface RawFlash {
    /** Whether the gateway reaches the flash now: true only in flash recovery (livefish). */
    boolean reachable();

    /** Flash size in bytes. */
    long size();

    byte[] read(long address, int length) throws TransportException;

    void write(long address, byte[] data) throws TransportException;
  }

  static final int COMMAND = 0xF0400;
  static final int ADDRESS = 0xF0404;
  static final int CACHE_REPLACEMENT_OFFSET = 0xF0408;
  static final int CACHE_REPLACEMENT_COMMAND = 0xF040C;
  static final int DATA = 0xF0410;
  static final int CACHE_REPLACEMENT_ENABLE = 0xF0420;
  private static final int DATA_DWORDS = 4;

  static final int READ_OP = 1;
  static final int COMMAND_PHASE = 1 << 2;
  static final int ADDRESS_PHASE = 1 << 3;
  static final int DATA_PHASE = 1 << 4;
  static final int CS_HOLD = 1 << 5;
  static final int MSIZE_SHIFT = 8;
  static final int CHIP_SELECT = 1 << 11;
  static final int ADDRESS_4BYTE = 1 << 14;
  static final int OPCODE_SHIFT = 16;
  static final int BUSY = 1 << 30;
  static final int LOCK = 1 << 31;

  static final int SPI_WRITE_STATUS = 0x01;
  static final int SPI_PAGE_PROGRAM = 0x02;
  static final int SPI_READ = 0x03;
  static final int SPI_WRITE_DISABLE = 0x04;
  static final int SPI_READ_STATUS = 0x05;
  static final int SPI_WRITE_ENABLE = 0x06;
  static final int SPI_PAGE_PROGRAM_4B = 0x12;
  static final int SPI_READ_4B = 0x13;
  static final int SPI_READ_CONFIG = 0x15;
  static final int SPI_SUBSECTOR_ERASE = 0x20;
  static final int SPI_SUBSECTOR_ERASE_4B = 0x21;
  static final int SPI_READ_STATUS_2 = 0x35;
  static final int SPI_JEDEC_ID = 0x9F;
  static final int SPI_SECTOR_ERASE = 0xD8;
  static final int SPI_SECTOR_ERASE_4B = 0xDC;

  static final int WINBOND = 0xEF;
  private static final int PAGE = 256;
  private static final int SUBSECTOR = 4096;
  private static final int SECTOR = 65536;

  private final RawFlash flash;
  private final int jedecId;
  private int commandWord;
  private int address;
  private final int[] data = new int[DATA_DWORDS];
  private int cacheReplacementEnable = 1;
  private boolean locked;
  private boolean writeEnabled;
  /** The SPI command whose chip select is held (-1: none); {@link #cursor} is where it is. */
  private int openOpcode = -1;
  private long cursor;
  private long pageBase;
  private long commands;

  public CrSpaceFlashGateway(RawFlash flash) {
    this.flash = flash;
    this.jedecId = jedecIdFor(flash.size());
  }

  /**
   * The JEDEC id (vendor, type, density) of the Winbond part of mstflint's table with this size,
   * or 0 when the table has none (the id then reads as "no flash").
   */
  static int jedecIdFor(long size) {
    if (Long.bitCount(size) != 1) {
      return 0;
    }
    int density = Long.numberOfTrailingZeros(size);
    if (density >= 0x14 && density <= 0x18) {
      return (WINBOND << 16) | (0x40 << 8) | density;
    }
    if (density == 0x19) {
      return (WINBOND << 16) | (0x70 << 8) | density;
    }
    return 0;
  }

  /** Whether {@code crAddress} is a gateway register the device answers now. */
  public boolean claims(int crAddress) {
    return crAddress >= COMMAND
        && crAddress < CACHE_REPLACEMENT_ENABLE + 4
        && flash.reachable();
  }

  /** Gateway commands executed so far. */
  public long commands() {
    return commands;
  }

  /** A CR-space read of a claimed address. */
  public int read(int crAddress) {
    switch (crAddress) {
      case COMMAND -> {
        int value = (commandWord & ~(BUSY | LOCK)) | (locked ? LOCK : 0);
        locked = true; // reading the word takes the semaphore when it is free
        return value;
      }
      case ADDRESS -> {
        return address;
      }
      case CACHE_REPLACEMENT_ENABLE -> {
        return cacheReplacementEnable;
      }
      default -> {
        int index = (crAddress - DATA) / 4;
        if (crAddress >= DATA && index < DATA_DWORDS && (crAddress & 3) == 0) {
          return data[index];
        }
        return 0; // the cache-replacement words: nothing pending
      }
    }
  }

  /** A CR-space write of a claimed address. */
  public void write(int crAddress, int value) throws TransportException {
    switch (crAddress) {
      case COMMAND -> {
        if ((value & BUSY) == 0) {
          commandWord = value;
          locked = (value & LOCK) != 0; // mstflint writes 0 to free the semaphore
          return;
        }
        commandWord = value;
        locked = true;
        execute(value);
      }
      case ADDRESS -> address = value;
      case CACHE_REPLACEMENT_ENABLE -> cacheReplacementEnable = value;
      default -> {
        int index = (crAddress - DATA) / 4;
        if (crAddress >= DATA && index < DATA_DWORDS && (crAddress & 3) == 0) {
          data[index] = value;
        }
      }
    }
  }

  private void execute(int command) throws TransportException {
    commands++;
    boolean chipPresent = (command & CHIP_SELECT) == 0 && jedecId != 0;
    if ((command & COMMAND_PHASE) != 0) {
      openOpcode = (command >>> OPCODE_SHIFT) & 0xFF;
      if ((command & ADDRESS_PHASE) != 0) {
        cursor = Integer.toUnsignedLong(address) & ((command & ADDRESS_4BYTE) != 0
            ? 0xFFFF_FFFFL : 0xFF_FFFFL);
        pageBase = cursor & ~(PAGE - 1L);
      }
      if (chipPresent) {
        begin(openOpcode);
      }
    }
    if ((command & DATA_PHASE) != 0) {
      int bytes = Math.min(DATA_DWORDS * 4, 1 << ((command >>> MSIZE_SHIFT) & 7));
      if (!chipPresent || openOpcode < 0) {
        if ((command & READ_OP) != 0) {
          Arrays.fill(data, chipPresent ? -1 : 0);
        }
      } else if ((command & READ_OP) != 0) {
        dataOut(openOpcode, bytes);
      } else {
        dataIn(openOpcode, bytes);
      }
    }
    if ((command & CS_HOLD) == 0) {
      if (chipPresent && openOpcode >= 0) {
        end(openOpcode);
      }
      openOpcode = -1;
    }
    commandWord &= ~BUSY; // done at once: the flash never shows a write in progress
  }

  /** What an opcode does as soon as it is clocked in. */
  private void begin(int opcode) {
    switch (opcode) {
      case SPI_WRITE_ENABLE -> writeEnabled = true;
      case SPI_WRITE_DISABLE -> writeEnabled = false;
      default -> {}
    }
  }

  /** What an opcode does when chip select goes up (the end of the SPI transaction). */
  private void end(int opcode) throws TransportException {
    switch (opcode) {
      case SPI_SUBSECTOR_ERASE, SPI_SUBSECTOR_ERASE_4B -> erase(SUBSECTOR);
      case SPI_SECTOR_ERASE, SPI_SECTOR_ERASE_4B -> erase(SECTOR);
      case SPI_PAGE_PROGRAM, SPI_PAGE_PROGRAM_4B, SPI_WRITE_STATUS -> writeEnabled = false;
      default -> {}
    }
  }

  private void erase(int blockSize) throws TransportException {
    if (writeEnabled) {
      long start = cursor & ~(blockSize - 1L);
      if (start + blockSize <= flash.size()) {
        byte[] erased = new byte[blockSize];
        Arrays.fill(erased, (byte) 0xFF);
        flash.write(start, erased);
      }
    }
    writeEnabled = false;
  }

  /** Bytes the flash sends for a read command, into the data dwords (first byte on top). */
  private void dataOut(int opcode, int bytes) throws TransportException {
    Arrays.fill(data, 0);
    switch (opcode) {
      case SPI_JEDEC_ID -> data[0] = jedecId << 8;
      case SPI_READ_STATUS -> data[0] = (writeEnabled ? 0x02 : 0x00) << 24;
      case SPI_READ_STATUS_2, SPI_READ_CONFIG -> data[0] = 0;
      case SPI_READ, SPI_READ_4B -> {
        byte[] read = readFlash(cursor, bytes);
        cursor += bytes;
        for (int i = 0; i < bytes; i++) {
          data[i / 4] |= (read[i] & 0xFF) << (24 - 8 * (i % 4));
        }
      }
      default -> Arrays.fill(data, -1); // an opcode the chip ignores: the line floats high
    }
  }

  /** Bytes the host sends with a program command, from the data dwords. */
  private void dataIn(int opcode, int bytes) throws TransportException {
    if ((opcode != SPI_PAGE_PROGRAM && opcode != SPI_PAGE_PROGRAM_4B) || !writeEnabled) {
      return;
    }
    if (pageBase + PAGE > flash.size()) {
      return;
    }
    byte[] page = flash.read(pageBase, PAGE);
    for (int i = 0; i < bytes; i++) {
      int offset = (int) ((cursor + i) & (PAGE - 1));
      int value = (data[i / 4] >>> (24 - 8 * (i % 4))) & 0xFF;
      page[offset] &= (byte) value;
    }
    long start = cursor & (PAGE - 1);
    int length = (int) Math.min(bytes, PAGE - start);
    byte[] changed = Arrays.copyOfRange(page, (int) start, (int) start + length);
    flash.write(pageBase + start, changed);
    if (length < bytes) {
      byte[] wrapped = Arrays.copyOfRange(page, 0, bytes - length);
      flash.write(pageBase, wrapped);
    }
    cursor = pageBase + ((cursor + bytes) & (PAGE - 1));
  }

  private byte[] readFlash(long from, int length) throws TransportException {
    long size = flash.size();
    byte[] result = new byte[length];
    Arrays.fill(result, (byte) 0xFF);
    // Addresses past the chip wrap around on a real part; modelled as reading erased bytes.
    if (from < size) {
      int inside = (int) Math.min(length, size - from);
      System.arraycopy(flash.read(from, inside), 0, result, 0, inside);
    }
    return result;
  }
}
