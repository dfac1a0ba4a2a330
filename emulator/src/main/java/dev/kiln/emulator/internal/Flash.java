package dev.kiln.emulator.internal;

import dev.kiln.inspector.format.Fs4Magic;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The device's flash chip: one file of the flash size, memory-mapped read-write, split into two
 * image slots of half the size each (slot 0 at 0, slot 1 at flash size / 2), as FS4 fail-safe burns
 * use it. Writes land in the page cache; {@link #force()} makes them durable. Callers decide when
 * (the device forces at every fail-safe boundary, see docs/emulator.md).
 */
public final class Flash implements AutoCloseable {
  private final FileChannel channel;
  /**
   * The magic pattern of the device's image format (FS4, or FS3 on ConnectX-4/4 Lx; fs4-format.md
   * §3), from the inspector's one definition.
   */
  private final byte[] magic;
  private final MappedByteBuffer map;
  private final long size;

  private Flash(FileChannel channel, MappedByteBuffer map, long size, byte[] magic) {
    this.channel = channel;
    this.magic = magic.clone();
    this.map = map;
    this.size = size;
  }

  /** Creates a flash file of {@code size} bytes, erased (all 0xFF). */
  public static void create(Path file, long size) throws IOException {
    try (FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      byte[] erased = new byte[1 << 20];
      Arrays.fill(erased, (byte) 0xFF);
      for (long at = 0; at < size; at += erased.length) {
        ByteBuffer chunk = ByteBuffer.wrap(erased, 0, (int) Math.min(erased.length, size - at));
        while (chunk.hasRemaining()) {
          channel.write(chunk, at + chunk.position());
        }
      }
      channel.force(true);
    }
  }

  /** Maps an existing flash file of a device whose images start with {@code magic}. */
  public static Flash open(Path file, byte[] magic) throws IOException {
    FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      long size = channel.size();
      if (size <= 0 || size > Integer.MAX_VALUE || size % 2 != 0) {
        throw new IOException(file + ": flash file of " + size + " bytes is not a usable size");
      }
      return new Flash(channel, channel.map(FileChannel.MapMode.READ_WRITE, 0, size), size, magic);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  public long size() {
    return size;
  }

  public int slotSize() {
    return (int) (size / 2);
  }

  public int slotOffset(int slot) {
    return slot * slotSize();
  }

  /** A view of {@code length} bytes of a slot; not a copy (writes to flash show through). */
  public ByteBuffer view(int slot, int length) {
    return map.slice(slotOffset(slot), length);
  }

  /** Copies {@code length} bytes from a slot. */
  public byte[] read(int slot, long offset, int length) {
    byte[] out = new byte[length];
    map.get(slotOffset(slot) + (int) offset, out);
    return out;
  }

  /** Copies bytes from anywhere in the flash (the raw gateway). */
  public byte[] readAbsolute(long address, int length) {
    byte[] out = new byte[length];
    map.get((int) address, out);
    return out;
  }

  /** Writes bytes anywhere in the flash (the raw gateway). */
  public void writeAbsolute(long address, byte[] data) {
    map.put((int) address, data);
  }

  /** Writes into a slot at an offset. */
  public void write(int slot, long offset, byte[] data, int from, int length) {
    map.put(slotOffset(slot) + (int) offset, data, from, length);
  }

  /** True when the slot starts with the device's magic pattern. */
  public boolean hasMagic(int slot) {
    byte[] head = read(slot, 0, magic.length);
    return Arrays.equals(head, magic);
  }

  /** Writes the magic pattern at the start of a slot (not yet durable). */
  public void writeMagic(int slot) {
    write(slot, 0, magic, 0, magic.length);
  }

  /** The device's magic pattern (a copy). */
  public byte[] magic() {
    return magic.clone();
  }

  /**
   * Invalidates a slot the way a fail-safe burn does: one zero dword over the first magic dword
   * (protocol doc §5.2 step 7). The rest of the image stays, which is what reactivation relies on.
   */
  public void invalidate(int slot) {
    write(slot, 0, new byte[4], 0, 4);
  }

  /** Makes every write so far durable. */
  public void force() {
    map.force();
  }

  @Override
  public void close() throws IOException {
    map.force();
    channel.close();
  }
}
