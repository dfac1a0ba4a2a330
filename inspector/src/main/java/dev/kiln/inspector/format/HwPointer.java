package dev.kiln.inspector.format;

/**
 * The 16 HW pointer slots of the FS4 boot area, in table order (fs4-format.md §4). Entry {@code
 * i} lives at image start + 0x18 + 8·i.
 */
public enum HwPointer {
  BOOT_RECORD("boot_record_ptr"),
  BOOT2("boot2_ptr"),
  TOC("toc_ptr"),
  TOOLS("tools_ptr"),
  AUTHENTICATION_START("authentication_start_pointer"),
  /** The last byte (inclusive) of the authenticated range. */
  AUTHENTICATION_END("authentication_end_pointer"),
  DIGEST("digest_pointer"),
  DIGEST_RECOVERY_KEY("digest_recovery_key_pointer"),
  FW_WINDOW_START("fw_window_start_pointer"),
  FW_WINDOW_END("fw_window_end_pointer"),
  IMAGE_INFO_SECTION("image_info_section_pointer"),
  HMAC_END("hmac_end_pointer"),
  PUBLIC_KEY("public_key_pointer"),
  /** A value, not a pointer: the FW security version printed by {@code query} as Security Ver. */
  FW_SECURITY_VERSION("fw_security_version_pointer"),
  GCM_IV_DELTA("gcm_iv_delta_pointer"),
  /** 0 or 0xFFFFFFFF: no hashes table (secure boot v1). */
  HASHES_TABLE("hashes_table_pointer");

  private final String fieldName;

  HwPointer(String fieldName) {
    this.fieldName = fieldName;
  }

  /** Index of the entry in the table (0..15). */
  public int index() {
    return ordinal();
  }

  /** Offset of the entry relative to the image start. */
  public int entryOffset() {
    return Fs4Magic.HW_POINTERS_OFFSET + HwPointers.ENTRY_SIZE * ordinal();
  }

  /** The field name used in the format documentation. */
  public String fieldName() {
    return fieldName;
  }
}
