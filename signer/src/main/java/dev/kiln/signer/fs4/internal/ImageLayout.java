package dev.kiln.signer.fs4.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The positions the signing engine needs, taken once from the parsed image. Positions never move
 * while the engine patches an image (sections are rewritten in place, never added, moved or
 * resized), so one layout serves every step of a command; the bytes at those positions are always
 * read again from the image being patched.
 *
 * @param fileSize size of the image file in bytes
 * @param boot2Address file offset of BOOT2 (HW pointer 1); everything below it is signed data
 * @param boot2Length BOOT2 length in bytes, {@code (N + 4) * 4}
 * @param hashesTableAddress file offset of the hashes table, or -1 when the image has none
 *     (secure-boot "v1" image)
 * @param hashesTableLength length of the hashes table as the verifier reads it (0 when none)
 * @param itocAddress file offset of the ITOC header actually in use (toc_ptr or toc_ptr + 0x1000)
 * @param itocEntries the ITOC entries before the END entry, in entry order
 * @param signedFw the image counts as signed FW the way mstflint's security mode does: IMAGE_INFO
 *     signed_fw and mcc_en set, and an IMAGE_SIGNATURE_256/512 and a PUBLIC_KEYS_2048/4096 section
 *     present (false when the image has no IMAGE_INFO)
 * @param hwDeviceId IMAGE_INFO.supported_hw_id[0], or 0 when the image has no IMAGE_INFO
 * @param hwPointerValues the 16 HW pointer values (boot area 0x18 + 8 * i; all 0 for FS3)
 * @param fs3 an FS3 (ConnectX-4) image: its ITOC entries keep relative_addr, no_crc and
 *     device_data when rewritten, and the fw-update data follows fs4-format.md §18
 * @param fs3ImageEnd FS3: end of the highest section at a relative address (mstflint's
 *     sizeOfImgData, fs3_ops.cpp Fs3Operations::VerifyTOC), the length of the fw-update data;
 *     device-data sections at absolute offsets do not count; 0 for FS4
 * @param fs3DeviceDataEntries FS3: file offsets of the ITOC entries with device_data set, which
 *     the fw-update data masks (Fs3Operations::maskDevToc); empty for FS4
 * @param fs3SearchedHeaders FS3: file offsets of the 4 KiB boundaries before the ITOC where
 *     mstflint read a 0x20-byte header without the ITOC signature while looking for it
 *     (Fs3Operations::FsVerifyAux, VerifyTOC); those bytes are in its image cache and so in the
 *     fw-update data; empty for FS4
 */
public record ImageLayout(
    long fileSize,
    int boot2Address,
    int boot2Length,
    int hashesTableAddress,
    int hashesTableLength,
    int itocAddress,
    List<ItocSlot> itocEntries,
    boolean signedFw,
    int hwDeviceId,
    List<Integer> hwPointerValues,
    boolean fs3,
    long fs3ImageEnd,
    List<Integer> fs3DeviceDataEntries,
    List<Integer> fs3SearchedHeaders) {

  /** Size of an ITOC header and of one ITOC entry. */
  public static final int TOC_RECORD_SIZE = 0x20;

  /** ConnectX-7 and ConnectX-8 HW device ids: v2 signing never masks their boot-record CRC. */
  public static final int CX7_HW_ID = 0x218;

  public static final int CX8_HW_ID = 0x21E;

  public ImageLayout {
    itocEntries = List.copyOf(itocEntries);
    hwPointerValues = List.copyOf(hwPointerValues);
    fs3DeviceDataEntries = List.copyOf(fs3DeviceDataEntries);
    fs3SearchedHeaders = List.copyOf(fs3SearchedHeaders);
  }

  /** One ITOC entry: where the 32-byte entry is and what it describes. */
  public record ItocSlot(
      int index,
      int entryAddress,
      int type,
      int sectionAddress,
      int sectionLength,
      int crcMode,
      boolean cacheLineCrc) {

    public long sectionEnd() {
      return (long) sectionAddress + sectionLength;
    }
  }

  public boolean hasHashesTable() {
    return hashesTableAddress >= 0;
  }

  /** Bytes of the ITOC written back by every section update: header, entries and the END entry. */
  public int itocRewriteLength() {
    return TOC_RECORD_SIZE * (itocEntries.size() + 2);
  }

  /** The first entry of a type, as mstflint picks the section it updates. */
  public Optional<ItocSlot> first(int type) {
    for (ItocSlot slot : itocEntries) {
      if (slot.type() == type) {
        return Optional.of(slot);
      }
    }
    return Optional.empty();
  }

  /** Every entry of a type (the fw-update blob masks all of them). */
  public List<ItocSlot> all(int type) {
    List<ItocSlot> found = new ArrayList<>();
    for (ItocSlot slot : itocEntries) {
      if (slot.type() == type) {
        found.add(slot);
      }
    }
    return found;
  }

  /**
   * End of the highest ITOC section (FS3: of the highest one at a relative address): the length
   * of the fw-update blob before v2 edits.
   */
  public long lastSectionEnd() {
    if (fs3) {
      return fs3ImageEnd;
    }
    long last = 0;
    for (ItocSlot slot : itocEntries) {
      last = Math.max(last, slot.sectionEnd());
    }
    return last;
  }
}
