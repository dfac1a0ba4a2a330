package dev.kiln.emulator.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The gateway's SPI rules, driven with the command words mstflint 4.21 builds ({@code
 * mflash/mflash_gw.c}): semaphore, id, status, write enable, program (AND within a page), erase,
 * held chip select, and the blocked gateway of a device running secure FW.
 */
class CrSpaceFlashGatewayTest {
  private static final int READ = CrSpaceFlashGateway.READ_OP;
  private static final int CMD = CrSpaceFlashGateway.COMMAND_PHASE;
  private static final int ADDR = CrSpaceFlashGateway.ADDRESS_PHASE;
  private static final int DATA = CrSpaceFlashGateway.DATA_PHASE;
  private static final int HOLD = CrSpaceFlashGateway.CS_HOLD;
  private static final int GO = CrSpaceFlashGateway.BUSY | CrSpaceFlashGateway.LOCK;

  /** A byte-array flash whose reachability the test switches. */
  private static final class ArrayFlash implements CrSpaceFlashGateway.RawFlash {
    final byte[] bytes;
    boolean reachable = true;

    ArrayFlash(int size) {
      bytes = new byte[size];
      Arrays.fill(bytes, (byte) 0xFF);
    }

    @Override
    public boolean reachable() {
      return reachable;
    }

    @Override
    public long size() {
      return bytes.length;
    }

    @Override
    public byte[] read(long address, int length) {
      return Arrays.copyOfRange(bytes, (int) address, (int) address + length);
    }

    @Override
    public void write(long address, byte[] data) {
      System.arraycopy(data, 0, bytes, (int) address, data.length);
    }
  }

  private static int command(int opcode, int flags, int log2Size) {
    return GO | flags | (log2Size << CrSpaceFlashGateway.MSIZE_SHIFT)
        | (opcode << CrSpaceFlashGateway.OPCODE_SHIFT);
  }

  private static void run(CrSpaceFlashGateway gateway, int command) throws Exception {
    gateway.write(CrSpaceFlashGateway.COMMAND, command);
    assertEquals(0, gateway.read(CrSpaceFlashGateway.COMMAND) & CrSpaceFlashGateway.BUSY);
  }

  private static int status(CrSpaceFlashGateway gateway) throws Exception {
    run(gateway, command(CrSpaceFlashGateway.SPI_READ_STATUS, READ | CMD | DATA, 2));
    return gateway.read(CrSpaceFlashGateway.DATA) >>> 24;
  }

  private static void program(CrSpaceFlashGateway gateway, int address, int... dwords)
      throws Exception {
    run(gateway, command(CrSpaceFlashGateway.SPI_WRITE_ENABLE, CMD, 0));
    for (int i = 0; i < 4; i++) {
      gateway.write(CrSpaceFlashGateway.DATA + 4 * i, dwords[i]);
    }
    gateway.write(CrSpaceFlashGateway.ADDRESS, address);
    run(gateway, command(CrSpaceFlashGateway.SPI_PAGE_PROGRAM, CMD | ADDR | DATA, 4));
  }

  private static int[] read16(CrSpaceFlashGateway gateway, int address) throws Exception {
    gateway.write(CrSpaceFlashGateway.ADDRESS, address);
    run(gateway, command(CrSpaceFlashGateway.SPI_READ, READ | CMD | ADDR | DATA, 4));
    int[] out = new int[4];
    for (int i = 0; i < 4; i++) {
      out[i] = gateway.read(CrSpaceFlashGateway.DATA + 4 * i);
    }
    return out;
  }

  @Test
  void theJedecIdNamesAWinbondPartOfTheFlashsSize() throws Exception {
    CrSpaceFlashGateway gateway = new CrSpaceFlashGateway(new ArrayFlash(4 << 20));
    run(gateway, command(CrSpaceFlashGateway.SPI_JEDEC_ID, READ | CMD | DATA, 2));
    assertEquals(0xEF4016_00, gateway.read(CrSpaceFlashGateway.DATA));
    assertEquals(0xEF4018, CrSpaceFlashGateway.jedecIdFor(16L << 20));
    assertEquals(0xEF7019, CrSpaceFlashGateway.jedecIdFor(32L << 20));
    assertEquals(0, CrSpaceFlashGateway.jedecIdFor(3L << 20), "no such part: reads as no flash");
    assertEquals(0, CrSpaceFlashGateway.jedecIdFor(64L << 20));
  }

  @Test
  void readingTheCommandWordTakesTheSemaphoreAndWritingZeroFreesIt() {
    CrSpaceFlashGateway gateway = new CrSpaceFlashGateway(new ArrayFlash(1 << 20));
    assertEquals(0, gateway.read(CrSpaceFlashGateway.COMMAND) & CrSpaceFlashGateway.LOCK);
    assertTrue((gateway.read(CrSpaceFlashGateway.COMMAND) & CrSpaceFlashGateway.LOCK) != 0,
        "the second reader finds it taken");
    assertEquals(0, gateway.read(CrSpaceFlashGateway.CACHE_REPLACEMENT_OFFSET));
    assertEquals(0, gateway.read(CrSpaceFlashGateway.CACHE_REPLACEMENT_COMMAND));
  }

  @Test
  void programNeedsWriteEnableAndOnlyClearsBits() throws Exception {
    ArrayFlash flash = new ArrayFlash(1 << 20);
    CrSpaceFlashGateway gateway = new CrSpaceFlashGateway(flash);
    for (int i = 0; i < 4; i++) {
      gateway.write(CrSpaceFlashGateway.DATA + 4 * i, 0);
    }
    gateway.write(CrSpaceFlashGateway.ADDRESS, 0x100);
    run(gateway, command(CrSpaceFlashGateway.SPI_PAGE_PROGRAM, CMD | ADDR | DATA, 4));
    assertEquals(-1, read16(gateway, 0x100)[0], "no write enable: nothing programmed");

    program(gateway, 0x100, 0x12345678, 0xF0F0F0F0, 0xFFFFFFFF, 0x0000FFFF);
    assertEquals(0, status(gateway) & 0x02, "write enable cleared after the program");
    assertEquals(0x12, flash.bytes[0x100] & 0xFF);
    program(gateway, 0x100, 0xFFFF0000, 0x0F0F0F0F, -1, -1);
    int[] back = read16(gateway, 0x100);
    assertEquals(0x12340000, back[0]);
    assertEquals(0x00000000, back[1]);
    assertEquals(0x0000FFFF, back[3]);
  }

  @Test
  void aHeldChipSelectContinuesTheReadAndTheProgramWrapsInItsPage() throws Exception {
    ArrayFlash flash = new ArrayFlash(1 << 20);
    for (int i = 0; i < 32; i++) {
      flash.bytes[0x2000 + i] = (byte) i;
    }
    CrSpaceFlashGateway gateway = new CrSpaceFlashGateway(flash);
    gateway.write(CrSpaceFlashGateway.ADDRESS, 0x2000);
    run(gateway, command(CrSpaceFlashGateway.SPI_READ, READ | CMD | ADDR | DATA | HOLD, 4));
    run(gateway, command(0, READ | DATA, 4)); // data phase only: the next 16 bytes
    assertEquals(0x10111213, gateway.read(CrSpaceFlashGateway.DATA));

    program(gateway, 0x30F8, 0, 0, 0, 0); // 16 bytes from 8 before the page end
    assertEquals(0, flash.bytes[0x30FF]);
    assertEquals(0, flash.bytes[0x3007], "wrapped to the page start");
    assertEquals((byte) 0xFF, flash.bytes[0x3100], "the next page is untouched");
  }

  @Test
  void eraseSetsTheAlignedSubsectorToOnes() throws Exception {
    ArrayFlash flash = new ArrayFlash(1 << 20);
    Arrays.fill(flash.bytes, 0x3000, 0x5000, (byte) 0);
    CrSpaceFlashGateway gateway = new CrSpaceFlashGateway(flash);
    run(gateway, command(CrSpaceFlashGateway.SPI_WRITE_ENABLE, CMD, 0));
    gateway.write(CrSpaceFlashGateway.ADDRESS, 0x4123);
    run(gateway, command(CrSpaceFlashGateway.SPI_SUBSECTOR_ERASE, CMD | ADDR, 0));
    assertEquals((byte) 0xFF, flash.bytes[0x4000]);
    assertEquals((byte) 0xFF, flash.bytes[0x4FFF]);
    assertEquals(0, flash.bytes[0x3FFF]);
    assertEquals(0, status(gateway) & 0x02);
  }

  @Test
  void secureFwBlocksTheGateway() throws Exception {
    ArrayFlash flash = new ArrayFlash(1 << 20);
    flash.reachable = false;
    CrSpaceFlashGateway gateway = new CrSpaceFlashGateway(flash);
    assertFalse(gateway.claims(CrSpaceFlashGateway.COMMAND));
    assertFalse(gateway.claims(CrSpaceFlashGateway.DATA));
    flash.reachable = true;
    assertTrue(gateway.claims(CrSpaceFlashGateway.CACHE_REPLACEMENT_ENABLE));
    assertFalse(gateway.claims(0xF0014), "the HW id is not the gateway's");
  }
}
