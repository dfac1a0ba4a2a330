package dev.kiln.inspector;

/**
 * Everything structural verification checks. The declaration order is the order in which mstflint
 * {@code verify} runs the same checks (fs4-format.md §17); kiln's additional checks follow the
 * mstflint check they extend. {@link VerificationResult} lists findings in this order.
 */
public enum FindingCode {
  /** §17 #1: file size is not a multiple of 4. */
  FILE_SIZE_UNALIGNED(Severity.ERROR),
  /** §17 #3: image_format_version byte is not 1. */
  FORMAT_VERSION(Severity.ERROR),
  /** §17 #4: more than one FS4 magic at the search offsets. */
  MAGIC_DUPLICATE(Severity.ERROR),
  /**
   * kiln: the image does not start at offset 0. mstflint 4.21 looks for the ITOC of such a file at
   * the untranslated toc_ptr and reports it as encrypted, so it cannot verify it.
   */
  IMAGE_START_NOT_ZERO(Severity.WARNING),
  /** §17 #5/#7: a HW pointer entry's CRC16-HW dword is wrong. */
  HW_POINTER_CRC(Severity.ERROR),
  /** §17 #6: no ITOC signature at toc_ptr or toc_ptr + 0x1000 (mstflint: "encrypted image"). */
  ITOC_NOT_FOUND(Severity.ERROR),
  /** §17 #8: tools_ptr does not leave room for the 0x40-byte tools area inside the file. */
  TOOLS_AREA_OUT_OF_BOUNDS(Severity.ERROR),
  /** §17 #8: tools area CRC wrong. */
  TOOLS_AREA_CRC(Severity.ERROR),
  /** §17 #9: tools area binary version not supported. */
  TOOLS_AREA_VERSION(Severity.ERROR),
  /** §18: FS3 format dword bin version not supported (FS3 needs 1.1 to 1.x, or 0.0). */
  BIN_VERSION(Severity.ERROR),
  /** §17 #10: boot2_ptr (everything before BOOT2 is read as one block) lies outside the file. */
  BOOT2_OUT_OF_BOUNDS(Severity.ERROR),
  /** §17 #11: BOOT2 dword count outside 4..1048576. */
  BOOT2_SIZE(Severity.ERROR),
  /** §17 #12: BOOT2 CRC dword wrong. */
  BOOT2_CRC(Severity.ERROR),
  /** §17 #13: hashes table outside the file. */
  HASHES_TABLE_OUT_OF_BOUNDS(Severity.ERROR),
  /** §17 #13: hashes table header CRC wrong. */
  HASHES_TABLE_HEADER_CRC(Severity.ERROR),
  /** §17 #13: whole hashes table CRC wrong. */
  HASHES_TABLE_CRC(Severity.ERROR),
  /** §17 #14: ITOC header invalid; an error when no copy is valid, info when the fail-safe is. */
  ITOC_HEADER_CRC(Severity.ERROR),
  /** §17 #15: more than 63 entries before END (or the table runs off the file). */
  TOC_TOO_MANY_ENTRIES(Severity.ERROR),
  /** kiln: the entry list runs past the end of the file without an END entry. */
  TOC_TRUNCATED(Severity.ERROR),
  /** §17 #16: an ITOC or DTOC entry CRC is wrong. */
  TOC_ENTRY_CRC(Severity.ERROR),
  /** §17 #17: a section lies (partly) outside the file. */
  SECTION_OUT_OF_BOUNDS(Severity.ERROR),
  /** kiln: an ITOC section ends beyond 2^log2_img_slot_size (mstflint reads elsewhere). */
  SECTION_BEYOND_SLOT(Severity.ERROR),
  /** §17 #18: section CRC wrong. */
  SECTION_CRC(Severity.ERROR),
  /** kiln: crc mode 3..7, which mstflint silently treats as "no CRC". */
  SECTION_CRC_MODE(Severity.WARNING),
  /** kiln: a section type mstflint has no name for. */
  SECTION_TYPE_UNKNOWN(Severity.WARNING),
  /** kiln: two sections (or a section and a boot/TOC structure) share bytes. */
  SECTION_OVERLAP(Severity.ERROR),
  /** §17 #19: IMAGE_INFO major version not 0 or supported_hw_id[0] unknown. */
  IMAGE_INFO_INVALID(Severity.ERROR),
  /** §17 #20: no valid DTOC header at file size − 0x1000. */
  DTOC_HEADER(Severity.ERROR),
  /** §17 #22: MFG_INFO major version not 0 or 1. */
  MFG_INFO_VERSION(Severity.ERROR),
  /** §17 #22: DEV_INFO major version not 1 or 2. */
  DEV_INFO_VERSION(Severity.ERROR),
  /** §17 #23: no MFG_INFO section. */
  MFG_INFO_MISSING(Severity.ERROR),
  /** §17 #24: no valid DEV_INFO copy. */
  DEV_INFO_MISSING(Severity.ERROR),
  /** §17 #24: more than one valid DEV_INFO copy. */
  DEV_INFO_DUPLICATE(Severity.ERROR),
  // Signature checks (kiln verify --trust / --require-signed; signer module), after structure.
  /** kiln: a signature section verifies with a trusted key over the current bytes. */
  SIGNATURE_VERIFIED(Severity.INFO),
  /** kiln: a signature (or the image's only signature) is required but none is present. */
  SIGNATURE_MISSING(Severity.ERROR),
  /** kiln: the key UUID of a signature matches no trusted key of its size. */
  SIGNATURE_UNKNOWN_KEY(Severity.ERROR),
  /** kiln: a trusted key made the signature, but over other bytes (image changed afterwards). */
  SIGNATURE_NOT_COVERING(Severity.ERROR),
  /** kiln: the signature does not verify with any candidate key. */
  SIGNATURE_INVALID(Severity.ERROR),
  /** kiln: the unkeyed SHA-256 digest in IMAGE_SIGNATURE_256 does not match the image. */
  SIGNATURE_DIGEST_MISMATCH(Severity.ERROR),
  /**
   * kiln: a signature verifies with a trusted key that is not among the image's own PUBLIC_KEYS
   * (or those sections hold no key): a device running the image would refuse the next image
   * signed with that key (key lock-out; the pre-check's KEY_LOCKOUT_* refuses such a burn).
   */
  SIGNATURE_KEY_NOT_IN_IMAGE(Severity.WARNING);

  private final Severity defaultSeverity;

  FindingCode(Severity defaultSeverity) {
    this.defaultSeverity = defaultSeverity;
  }

  /** The severity findings of this code normally carry. */
  public Severity defaultSeverity() {
    return defaultSeverity;
  }
}
