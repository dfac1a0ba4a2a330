package dev.kiln.inspector.format;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The hashes table of secure-boot v2 images, at HW pointer {@code hashes_table_pointer} when that
 * is neither 0 nor 0xFFFFFFFF (fs4-format.md §8). mstflint checks only the two CRCs, not the hash
 * values.
 *
 * <table>
 *   <caption>Layout (H = hash_size, 64 for SHA-512)</caption>
 *   <tr><th>offset</th><th>size</th><th>content</th></tr>
 *   <tr><td>0x000</td><td>4</td><td>load_address</td></tr>
 *   <tr><td>0x004</td><td>4</td><td>dw_size; signing uses the length (dw_size + 4) · 4</td></tr>
 *   <tr><td>0x008</td><td>4</td><td>low 16 bits: CRC16-SW of bytes 0x0..0x7</td></tr>
 *   <tr><td>0x00C</td><td>16</td><td>HTOC header: 0x0 version; 0x4.0-7 num_of_entries; 0x4.8-15
 *       hash_type; 0x4.16-31 hash_size</td></tr>
 *   <tr><td>0x01C</td><td>28 × 8</td><td>HTOC entries: 0x0.0-15 hash_offset (from the HTOC header
 *       start), 0x0.16-23 section type; second dword 0</td></tr>
 *   <tr><td>0x0FC</td><td>28 × H</td><td>hash slots</td></tr>
 *   <tr><td>end − 8</td><td>8</td><td>tail; low 16 bits of the last dword = CRC16-SW of all bytes
 *       before it</td></tr>
 * </table>
 *
 * <p>Verify derives the length from hash_size: {@code 12 + 16 + 28·(8 + H) + 8} (0x804 for H =
 * 64).
 *
 * @param loadAddress dword 0x0
 * @param dwSize dword 0x4
 * @param storedHeaderCrc low 16 bits of dword 0x8
 * @param computedHeaderCrc CRC16-SW of bytes 0x0..0x7
 * @param htocVersion HTOC header dword 0
 * @param numOfEntries HTOC num_of_entries
 * @param hashType HTOC hash_type
 * @param hashSize HTOC hash_size (bytes per slot)
 * @param entries the first {@code min(num_of_entries, 28)} HTOC entries
 * @param storedTableCrc low 16 bits of the last dword
 * @param computedTableCrc CRC16-SW of everything before the last dword
 */
public record HashesTable(
    int loadAddress,
    int dwSize,
    int storedHeaderCrc,
    int computedHeaderCrc,
    int htocVersion,
    int numOfEntries,
    int hashType,
    int hashSize,
    List<Entry> entries,
    int storedTableCrc,
    int computedTableCrc) {

  /** Number of HTOC entry slots. */
  public static final int SLOTS = 28;

  /** Bytes before the first HTOC entry (table header 12 + HTOC header 16). */
  public static final int HEADER_SIZE = 0x1C;

  /** Offset of the HTOC header inside the table (hash offsets are relative to it). */
  public static final int HTOC_OFFSET = 0x0C;

  /** Hash size of SHA-512, the only one mstflint writes. */
  public static final int SHA512_SIZE = 64;

  /** Section type code under which the ITOC's own hash is stored. */
  public static final int ITOC_HASH_TYPE = 0xFD;

  /**
   * One HTOC entry.
   *
   * @param hashOffset offset of the hash slot, relative to the HTOC header
   * @param sectionType section type whose hash the slot holds
   */
  public record Entry(int hashOffset, int sectionType) {}

  public HashesTable {
    entries = List.copyOf(entries);
  }

  /** Table length verify uses for a hash size. */
  public static int lengthFor(int hashSize) {
    return 12 + 16 + SLOTS * (8 + hashSize) + 8;
  }

  /** The hash_size field of a table at {@code offset} (the header must be in the buffer). */
  public static int readHashSize(ByteBuffer buffer, int offset) {
    Dwords.checkRange(buffer, offset, HEADER_SIZE);
    return Dwords.get(buffer, offset + HTOC_OFFSET + 4) >>> 16;
  }

  /**
   * Reads a table at absolute {@code offset}. The caller has checked that {@link
   * #lengthFor(int)} bytes of the hash size found there fit the buffer.
   */
  public static HashesTable read(ByteBuffer buffer, int offset) {
    int hashSize = readHashSize(buffer, offset);
    int length = lengthFor(hashSize);
    Dwords.checkRange(buffer, offset, length);
    int htoc = Dwords.get(buffer, offset + HTOC_OFFSET + 4);
    int count = htoc & 0xFF;
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < Math.min(count, SLOTS); i++) {
      int dword = Dwords.get(buffer, offset + HEADER_SIZE + 8 * i);
      entries.add(new Entry(dword & 0xFFFF, (dword >>> 16) & 0xFF));
    }
    return new HashesTable(
        Dwords.get(buffer, offset),
        Dwords.get(buffer, offset + 4),
        Dwords.get(buffer, offset + 8) & 0xFFFF,
        Crc16.sw(buffer, offset, 8),
        Dwords.get(buffer, offset + HTOC_OFFSET),
        count,
        (htoc >>> 8) & 0xFF,
        hashSize,
        entries,
        Dwords.get(buffer, offset + length - 4) & 0xFFFF,
        Crc16.sw(buffer, offset, length - 4));
  }

  /** Length of this table as verify computes it. */
  public int length() {
    return lengthFor(hashSize);
  }

  public boolean headerCrcOk() {
    return storedHeaderCrc == computedHeaderCrc;
  }

  public boolean tableCrcOk() {
    return storedTableCrc == computedTableCrc;
  }

  /**
   * Encodes a SHA-512 table (hash_type 0, version 0) with one slot per given hash, in order, and
   * both CRCs. {@code dw_size} is set so that signing and verify agree on the length.
   *
   * @param sectionTypes the section type of each slot (at most 28)
   * @param hashes the 64-byte hash of each slot, same order
   */
  public static byte[] encode(List<Integer> sectionTypes, List<byte[]> hashes) {
    if (sectionTypes.size() != hashes.size() || sectionTypes.size() > SLOTS) {
      throw new IllegalArgumentException("need at most 28 slots with one hash each");
    }
    int length = lengthFor(SHA512_SIZE);
    byte[] bytes = new byte[length];
    Dwords.put(bytes, 4, length / 4 - 4);
    Dwords.put(bytes, 8, Crc16.sw(bytes, 0, 8));
    Dwords.put(bytes, HTOC_OFFSET + 4, (SHA512_SIZE << 16) | sectionTypes.size());
    int firstSlot = HEADER_SIZE + SLOTS * 8;
    for (int i = 0; i < sectionTypes.size(); i++) {
      byte[] hash = hashes.get(i);
      if (hash.length != SHA512_SIZE) {
        throw new IllegalArgumentException("hash " + i + " is " + hash.length + " bytes, not 64");
      }
      int slot = firstSlot + i * SHA512_SIZE;
      Dwords.put(
          bytes, HEADER_SIZE + 8 * i, ((sectionTypes.get(i) & 0xFF) << 16) | (slot - HTOC_OFFSET));
      System.arraycopy(hash, 0, bytes, slot, SHA512_SIZE);
    }
    Dwords.put(bytes, length - 4, Crc16.sw(bytes, 0, length - 4));
    return bytes;
  }

  /** Recomputes both CRCs of an encoded table in place (after a hash slot changed). */
  public static void fixCrcs(byte[] table) {
    Dwords.put(table, 8, (Dwords.get(table, 8) & 0xFFFF0000) | Crc16.sw(table, 0, 8));
    int length = table.length;
    int tail = Dwords.get(table, length - 4) & 0xFFFF0000;
    Dwords.put(table, length - 4, tail | Crc16.sw(table, 0, length - 4));
  }
}
