package dev.kiln.signer.fs4.internal;

import dev.kiln.inspector.format.Crc16;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.signer.fs4.ImageSigningException;
import dev.kiln.signer.fs4.internal.ImageLayout.ItocSlot;
import java.nio.ByteBuffer;

/**
 * Rewrites one ITOC section in place with exactly the side effects mstflint's section update has
 * (fs4-format.md §16.0), so that the patched file is byte-identical to mstflint's output:
 *
 * <ol>
 *   <li>the new body, zero-padded to the section size, replaces the section;
 *   <li>the section CRC is refreshed where the entry's CRC mode keeps one (mode 0: in the entry,
 *       mode 2: in the last dword of the section, as the full dword {@code 0x0000CCCC});
 *   <li>the entry is re-encoded from its fields, so its reserved bits become 0, and its CRC is
 *       recomputed;
 *   <li>the ITOC is written back: header and other entries as they were, the END entry as 32 bytes
 *       of 0xFF;
 *   <li>on images with a hashes table, the SHA-512 of the ITOC (header and entries, without END)
 *       goes into the hash slot of type 0xFD, the SHA-512 of the section into its type's slot
 *       (except for the types mstflint never hashes), adding HTOC entries where missing, and the
 *       table CRC is refreshed.
 * </ol>
 *
 * <p>Reserved bits kept by an entry re-encode, per dword of the entry: {@code 0xFFFFFFFC,
 * 0xFFFFFFFF, 0xFFFFFFFF, 0, 0x0000FFFF, 0x7FFFFFFC, 0x8007FFFF} (dword 7 holds the entry CRC).
 *
 * <p>Hashes-table layout used (offsets from the table start): 0x0C HTOC header (0x0 version, 0x4
 * {@code hash_size << 16 | hash_type << 8 | num_of_entries}, 0x8..0xF reserved), 0x1C 28 entries of
 * 8 bytes ({@code type << 16 | hash_offset}, then 0), hash slots at HTOC + hash_offset, and the
 * table CRC in the low 16 bits of the last dword.
 */
public final class SectionWriter {
  private static final int[] ENTRY_KEPT_BITS = {
    0xFFFFFFFC, 0xFFFFFFFF, 0xFFFFFFFF, 0, 0x0000FFFF, 0x7FFFFFFC, 0x8007FFFF
  };

  /**
   * The same for an FS3 entry, the fields of mstflint's cibfw_itoc_entry (tools_layouts/
   * cibfw_layouts.h, packed again by fs3_ops.cpp Fs3Operations::Fs3UpdateItocInfo): no version
   * field; relative_addr (0x14.31), no_crc and device_data (0x18.16-17) kept.
   */
  private static final int[] FS3_ENTRY_KEPT_BITS = {
    0xFFFFFFFC, 0xFFFFFFFF, 0xFFFFFFFF, 0, 0, 0xFFFFFFFC, 0x0003FFFF
  };

  /** Type used in the HTOC for the ITOC hash (mstflint's FS3_ITOC). */
  public static final int ITOC_HASH_TYPE = 0xFD;

  private static final int HTOC_OFFSET = 0x0C;
  private static final int HTOC_HEADER_SIZE = 0x10;
  private static final int HTOC_ENTRY_SIZE = 8;
  private static final int HTOC_MAX_ENTRIES = 28;
  private static final int HASH_SIZE = 64;

  private final ByteBuffer image;
  private final ImageLayout layout;

  public SectionWriter(ByteBuffer image, ImageLayout layout) {
    this.image = image;
    this.layout = layout;
  }

  /** The section mstflint would update for this type (the first ITOC entry of the type). */
  public ItocSlot require(int type) throws ImageSigningException {
    return layout
        .first(type)
        .orElseThrow(
            () ->
                new ImageSigningException(
                    String.format(
                        "the image has no %s section (ITOC type 0x%02X)",
                        SectionType.nameOf(type), type)));
  }

  /** Checks that {@code length} bytes of content fit the section, before anything is written. */
  public ItocSlot requireRoom(int type, int length) throws ImageSigningException {
    ItocSlot slot = require(type);
    if (slot.sectionLength() < length) {
      throw new ImageSigningException(
          String.format(
              "the %s section at 0x%x has 0x%x bytes, 0x%x are needed",
              SectionType.nameOf(type), slot.sectionAddress(), slot.sectionLength(), length));
    }
    if (slot.crcMode() == 2 && slot.sectionLength() < 4) {
      throw new ImageSigningException(
          String.format(
              "the %s section is too small for its in-section CRC", SectionType.nameOf(type)));
    }
    return slot;
  }

  /**
   * Replaces the first section of {@code type} with {@code content} plus zero padding.
   *
   * @throws ImageSigningException when the section is missing or too small, or the hashes table
   *     cannot take the update; the image may then be partly patched (callers work on a copy)
   */
  public void replace(int type, byte[] content) throws ImageSigningException {
    ItocSlot slot = requireRoom(type, content.length);
    if (layout.hasHashesTable()) {
      checkHashesTable();
    }
    byte[] body = new byte[slot.sectionLength()];
    System.arraycopy(content, 0, body, 0, content.length);
    int sectionCrc = -1;
    if (slot.crcMode() == 0) {
      sectionCrc = Crc16.sw(body, 0, body.length);
    } else if (slot.crcMode() == 2) {
      int crc = Crc16.sw(body, 0, body.length - 4);
      ByteBuffer.wrap(body).putInt(body.length - 4, crc);
    }
    image.put(slot.sectionAddress(), body);

    byte[] entry = new byte[ImageLayout.TOC_RECORD_SIZE];
    image.get(slot.entryAddress(), entry);
    ByteBuffer entryWords = ByteBuffer.wrap(entry);
    int[] kept = layout.fs3() ? FS3_ENTRY_KEPT_BITS : ENTRY_KEPT_BITS;
    for (int word = 0; word < kept.length; word++) {
      entryWords.putInt(4 * word, entryWords.getInt(4 * word) & kept[word]);
    }
    if (sectionCrc >= 0) {
      entryWords.putInt(0x18, (entryWords.getInt(0x18) & 0xFFFF0000) | sectionCrc);
    }
    entryWords.putInt(0x1C, Crc16.sw(entry, 0, 0x1C));
    image.put(slot.entryAddress(), entry);
    rewriteEndEntry();

    if (layout.hasHashesTable()) {
      storeHash(ITOC_HASH_TYPE, sha512Of(layout.itocAddress(), itocHashedLength()));
      if (isHashed(type)) {
        storeHash(type, sha512Of(slot.sectionAddress(), slot.sectionLength()));
      }
    }
  }

  /** Section types whose hash mstflint keeps in the hashes table after an update. */
  public static boolean isHashed(int type) {
    return switch (type) {
      case 0xA0, 0xA1, 0xA3, 0xA4, 0xA7 -> false;
      default -> true;
    };
  }

  private int itocHashedLength() {
    return ImageLayout.TOC_RECORD_SIZE * (layout.itocEntries().size() + 1);
  }

  private void rewriteEndEntry() {
    int endAddress = layout.itocAddress() + itocHashedLength();
    for (int i = 0; i < ImageLayout.TOC_RECORD_SIZE; i++) {
      image.put(endAddress + i, (byte) 0xFF);
    }
  }

  private byte[] sha512Of(int address, int length) {
    byte[] data = new byte[length];
    image.get(address, data);
    return Digests.sha512(data, 0, length);
  }

  private void checkHashesTable() throws ImageSigningException {
    int htoc = layout.hashesTableAddress() + HTOC_OFFSET;
    int hashSize = (image.getInt(htoc + 4) >>> 16) & 0xFFFF;
    if (hashSize != HASH_SIZE) {
      throw new ImageSigningException(
          String.format(
              "the hashes table at 0x%x declares %d-byte hashes; only SHA-512 (64) is supported",
              layout.hashesTableAddress(), hashSize));
    }
    int tableEnd = layout.hashesTableAddress() + tableLength();
    if (tableEnd > layout.fileSize()) {
      throw new ImageSigningException(
          String.format(
              "the hashes table at 0x%x runs past the end of the file",
              layout.hashesTableAddress()));
    }
  }

  private static int tableLength() {
    return HTOC_OFFSET + HTOC_HEADER_SIZE + HTOC_MAX_ENTRIES * (HTOC_ENTRY_SIZE + HASH_SIZE) + 8;
  }

  private void storeHash(int type, byte[] hash) throws ImageSigningException {
    int table = layout.hashesTableAddress();
    int htoc = table + HTOC_OFFSET;
    int headerWord = image.getInt(htoc + 4);
    int count = headerWord & 0xFF;
    int hashOffset = -1;
    for (int i = 0; i < count && i < HTOC_MAX_ENTRIES; i++) {
      int entryWord = image.getInt(htoc + HTOC_HEADER_SIZE + HTOC_ENTRY_SIZE * i);
      if (((entryWord >>> 16) & 0xFF) == type) {
        hashOffset = entryWord & 0xFFFF;
        break;
      }
    }
    if (hashOffset < 0) {
      if (count >= HTOC_MAX_ENTRIES) {
        throw new ImageSigningException(
            String.format(
                "the hashes table at 0x%x is full; no slot for type 0x%02X", table, type));
      }
      hashOffset = HTOC_HEADER_SIZE + HTOC_MAX_ENTRIES * HTOC_ENTRY_SIZE + count * HASH_SIZE;
      int entryAddress = htoc + HTOC_HEADER_SIZE + HTOC_ENTRY_SIZE * count;
      image.putInt(entryAddress, (type << 16) | hashOffset);
      image.putInt(entryAddress + 4, 0);
      // mstflint re-encodes the whole HTOC header when it adds an entry: reserved bytes become 0.
      image.putInt(htoc + 4, (headerWord & 0xFFFFFF00) | (count + 1));
      image.putInt(htoc + 8, 0);
      image.putInt(htoc + 12, 0);
    }
    if (htoc + hashOffset + HASH_SIZE > table + tableLength()) {
      throw new ImageSigningException(
          String.format("the hashes table slot for type 0x%02X lies outside the table", type));
    }
    image.put(htoc + hashOffset, hash);
    int length = tableLength();
    byte[] tableBytes = new byte[length];
    image.get(table, tableBytes);
    image.putInt(table + length - 4, Crc16.sw(tableBytes, 0, length - 4));
  }
}
