package dev.kiln.emulator.internal;

import dev.kiln.inspector.format.TocEntry;
import java.nio.ByteBuffer;

/**
 * The device data area at the end of the flash: the DTOC and the sections it lists (DEV_INFO,
 * MFG_INFO, VPD, ...), which a real adapter keeps in the last sectors of its flash, outside both
 * image halves. mstflint reads the DTOC of a flash at flash size - 0x1000 (mstflint 4.21
 * mlxfwops/lib/fs4_ops.cpp, {@code Fs4Operations::FsVerifyAux} and {@code parseDevData}), and in
 * an image file at file size - 0x1000; DTOC entries give absolute addresses (the same file, {@code
 * verifyTocEntries}: {@code physAddr = flash_addr} for the DTOC).
 *
 * <p>{@code kiln device init} programs the device as a factory would: the image's device data
 * area (from its lowest DTOC section to the end of the file) goes to the same distance from the
 * end of the flash, each DTOC entry's {@code flash_addr} moved by the difference (entry CRC
 * recomputed, TocEntry layout). An image without a DTOC leaves the flash end erased.
 *
 * <p>Not API.
 */
public final class DeviceDataArea {
  /** The DTOC sector: the last 0x1000 bytes (fs4_ops.cpp, {@code FS4_DEFAULT_SECTOR_SIZE}). */
  static final int SECTOR = 0x1000;
  private static final int DTOC_MAGIC = 0x44544F43; // "DTOC"
  private static final int TOC_HEADER_SIZE = 0x20;
  private static final int FLASH_ADDR_DWORD = 0x14;
  private static final int FLASH_ADDR_MASK = 0x7FFF_FFFC;

  private DeviceDataArea() {}

  /** The device data area of {@code image} relocated to the end of a flash of {@code size}. */
  public record Placement(long flashAddress, byte[] bytes) {}

  /**
   * Where and what to program for {@code image}'s device data on a flash of {@code flashSize}
   * bytes, or null when the image has no (well-formed) DTOC.
   */
  public static Placement of(byte[] image, long flashSize) {
    int dtoc = image.length - SECTOR;
    if (dtoc < 0 || ByteBuffer.wrap(image).getInt(dtoc) != DTOC_MAGIC) {
      return null;
    }
    long lowest = dtoc;
    for (int at = dtoc + TOC_HEADER_SIZE; at + TocEntry.SIZE <= image.length; at += TocEntry.SIZE) {
      TocEntry entry = TocEntry.read(ByteBuffer.wrap(image), at);
      if (entry.isEnd()) {
        break;
      }
      long start = entry.flashAddrBytes();
      if (start < 0 || start + entry.sizeBytes() > image.length) {
        return null; // a section outside the file: nothing sensible to program
      }
      lowest = Math.min(lowest, start);
    }
    long shift = flashSize - image.length;
    if (shift < 0 || lowest + shift < flashSize / 2) {
      return null; // would not fit behind the second image half's start
    }
    byte[] area = java.util.Arrays.copyOfRange(image, (int) lowest, image.length);
    ByteBuffer view = ByteBuffer.wrap(area);
    for (int at = (int) (dtoc - lowest) + TOC_HEADER_SIZE;
        at + TocEntry.SIZE <= area.length;
        at += TocEntry.SIZE) {
      TocEntry entry = TocEntry.read(view, at);
      if (entry.isEnd()) {
        break;
      }
      byte[] raw = entry.raw();
      ByteBuffer fields = ByteBuffer.wrap(raw);
      int word = fields.getInt(FLASH_ADDR_DWORD);
      long moved = entry.flashAddrBytes() + shift;
      fields.putInt(FLASH_ADDR_DWORD, (word & ~FLASH_ADDR_MASK) | ((int) moved & FLASH_ADDR_MASK));
      System.arraycopy(new TocEntry(raw).withEntryCrcFixed().raw(), 0, area, at, TocEntry.SIZE);
    }
    return new Placement(lowest + shift, area);
  }
}
