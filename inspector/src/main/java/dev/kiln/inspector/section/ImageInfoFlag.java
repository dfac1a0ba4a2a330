package dev.kiln.inspector.section;

import java.util.Locale;
import java.util.Optional;

/**
 * The one-bit flags of IMAGE_INFO dword 0 (fs4-format.md §11), by bit position (LSB = 0). The
 * two-bit {@code encrypted_fw} field (bits 3-4) and the version bytes are separate fields of
 * {@link ImageInfo}.
 */
public enum ImageInfoFlag {
  TOC_HEADER_DUPLICATION(1),
  SECURE_BOOT(2),
  WINDBOND_FLASH_SUPPORT(5),
  /** Keys up to 4096 bits are supported. */
  LONG_KEYS(6),
  DEBUG_FW_TOKENS_SUPPORTED(7),
  /** The image may be updated through MCC/MCDA; mstflint shows "Default Update Method: fw_ctrl". */
  MCC_EN(8),
  SIGNED_VENDOR_NVCONFIG_FILES(9),
  SIGNED_MLNX_NVCONFIG_FILES(10),
  FRC_SUPPORTED(11),
  CS_TOKENS_SUPPORTED(12),
  /** A debug firmware; query appends ", debug". */
  DEBUG_FW(13),
  /** Signed firmware ("signed-fw"); also stops set_public_keys from re-digesting the image. */
  SIGNED_FW(14),
  /** Secure firmware ("secure-fw"): CR-space closed. */
  SECURE_FW(15);

  private final int bit;

  ImageInfoFlag(int bit) {
    this.bit = bit;
  }

  /** Bit position in IMAGE_INFO dword 0. */
  public int bit() {
    return bit;
  }

  /** The field name of the format documentation, e.g. {@code secure_fw}. */
  public String fieldName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The flag with field name {@code name} ({@code secure_fw}, case-insensitive). */
  public static Optional<ImageInfoFlag> byFieldName(String name) {
    for (ImageInfoFlag flag : values()) {
      if (flag.fieldName().equalsIgnoreCase(name.trim())) {
        return Optional.of(flag);
      }
    }
    return Optional.empty();
  }
}
