package dev.kiln.inspector.format;

import java.util.Optional;

/**
 * FS4 section types with the names mstflint prints (fs4-format.md §10). Types not listed here are
 * legal in an image (mstflint prints them as {@code UNKNOWN:0x77}); {@link #nameOf(int)} renders
 * them the same way.
 */
public enum SectionType {
  BOOT_CODE(0x01),
  PCI_CODE(0x02),
  MAIN_CODE(0x03),
  PCIE_LINK_CODE(0x04),
  IRON_PREP_CODE(0x05),
  POST_IRON_BOOT_CODE(0x06),
  UPGRADE_CODE(0x07),
  HW_BOOT_CFG(0x08),
  HW_MAIN_CFG(0x09),
  PHY_UC_CODE(0x0A),
  PHY_UC_CONSTS(0x0B),
  PCIE_PHY_UC_CODE(0x0C),
  CCIR_INFRA_CODE(0x0D),
  CCIR_ALGO_CODE(0x0E),
  BOOT3_CODE(0x0F),
  IMAGE_INFO(0x10),
  FW_BOOT_CFG(0x11),
  FW_MAIN_CFG(0x12),
  APU_KERNEL(0x14),
  APU_APPS(0x15),
  ROM_CODE(0x18),
  RESET_INFO(0x20),
  DBG_FW_INI(0x30),
  DBG_FW_PARAMS(0x32),
  FW_ADB(0x33),
  GB_FW_CODE(0x34),
  TILE_FW_CODE(0x35),
  FW_TILE_INI(0x36),
  HW_TILE_INI(0x37),
  IMAGE_SIGNATURE_256(0xA0),
  PUBLIC_KEYS_2048(0xA1),
  FORBIDDEN_VERSIONS(0xA2),
  IMAGE_SIGNATURE_512(0xA3),
  PUBLIC_KEYS_4096(0xA4),
  HMAC_DIGEST(0xA5),
  RSA_PUBLIC_KEY(0xA6),
  RSA_4096_SIGNATURES(0xA7),
  EXCLKSYNC_INFO(0xB0),
  MFG_INFO(0xE0),
  DEV_INFO(0xE1),
  NV_DATA1(0xE2, "NV_DATA"),
  VPD_R0(0xE3),
  NV_DATA2(0xE4, "NV_DATA"),
  FW_NV_LOG(0xE5),
  NV_DATA0(0xE6, "NV_DATA"),
  DEV_INFO1(0xE7),
  DEV_INFO2(0xE8),
  CRDUMP_MASK_DATA(0xE9),
  FW_INTERNAL_USAGE(0xEA),
  PROGRAMMABLE_HW_FW1(0xEB, "PROGRAMMABLE_HW_FW"),
  PROGRAMMABLE_HW_FW2(0xEC, "PROGRAMMABLE_HW_FW"),
  DIGITAL_CERT_PTR(0xED),
  DIGITAL_CERT_RW(0xEE),
  LC_INI1_TABLE(0xEF),
  LC_INI2_TABLE(0xF0),
  LC_INI_NV_DATA(0xF1),
  CERT_CHAIN_0(0xF2),
  DIGITAL_CACERT_RW(0xF3),
  /** Pseudo types: mstflint uses these numbers only to name structures in its messages. */
  HASHES_TABLE(0xFA),
  HW_POINTERS(0xFB),
  TOOLS_AREA(0xFC),
  ITOC_HEADER(0xFD),
  DTOC_HEADER(0xFE),
  /** Terminates an ITOC or DTOC entry list. */
  END(0xFF);

  private static final SectionType[] BY_CODE = new SectionType[256];

  static {
    for (SectionType type : values()) {
      BY_CODE[type.code] = type;
    }
  }

  private final int code;
  private final String printedName;

  SectionType(int code) {
    this(code, null);
  }

  SectionType(int code, String printedName) {
    this.code = code;
    this.printedName = printedName;
  }

  /** The 8-bit type number stored in ITOC/DTOC entries. */
  public int code() {
    return code;
  }

  /** The name mstflint prints for this type. */
  public String printedName() {
    return printedName != null ? printedName : name();
  }

  /** True for the sections whose bodies feed the "critical" signature of {@code rsa_sign}. */
  public boolean isCritical() {
    return this == PCIE_LINK_CODE || this == PCIE_PHY_UC_CODE || this == HW_BOOT_CFG;
  }

  /** The known type for a code, if any. */
  public static Optional<SectionType> of(int code) {
    if (code < 0 || code > 0xFF) {
      return Optional.empty();
    }
    return Optional.ofNullable(BY_CODE[code]);
  }

  /** The name mstflint prints for a type code, {@code UNKNOWN:0x77} style for unknown ones. */
  public static String nameOf(int code) {
    return of(code).map(SectionType::printedName).orElse(String.format("UNKNOWN:0x%x", code));
  }
}
