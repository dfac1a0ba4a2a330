package dev.kiln.inspector.build;

import dev.kiln.inspector.format.SectionType;

/**
 * Security sections the writer can reserve, empty, for later signing and key provisioning
 * (fs4-format.md §13, §16). mstflint's {@code sign} needs IMAGE_SIGNATURE_256 (and _512 for a
 * 4096-bit key), {@code set_public_keys} a PUBLIC_KEYS section, {@code set_forbidden_versions}
 * FORBIDDEN_VERSIONS, {@code rsa_sign} RSA_PUBLIC_KEY and RSA_4096_SIGNATURES, {@code
 * sign_with_hmac} HMAC_DIGEST. mstflint only prints "Security Attributes" when a signature and a
 * public-keys section exist.
 */
public enum ReservedSection {
  IMAGE_SIGNATURE_256(SectionType.IMAGE_SIGNATURE_256),
  IMAGE_SIGNATURE_512(SectionType.IMAGE_SIGNATURE_512),
  PUBLIC_KEYS_2048(SectionType.PUBLIC_KEYS_2048),
  PUBLIC_KEYS_4096(SectionType.PUBLIC_KEYS_4096),
  FORBIDDEN_VERSIONS(SectionType.FORBIDDEN_VERSIONS),
  RSA_PUBLIC_KEY(SectionType.RSA_PUBLIC_KEY),
  RSA_4096_SIGNATURES(SectionType.RSA_4096_SIGNATURES),
  /** Target of {@code digest_recovery_key_pointer}; written with CRC mode 1 (no CRC). */
  HMAC_DIGEST(SectionType.HMAC_DIGEST);

  /** Size of the HMAC_DIGEST section: three 64-byte HMAC-SHA-512 values. */
  public static final int HMAC_DIGEST_SIZE = 0xC0;

  private final SectionType type;

  ReservedSection(SectionType type) {
    this.type = type;
  }

  public SectionType sectionType() {
    return type;
  }

  /**
   * True for the sections an FS3 image can hold: the signatures and the key and forbidden-version
   * sections mstflint's Fs3Operations fills (fs3_ops.cpp: signForFwUpdate, FwSetPublicKeys,
   * FwSetForbiddenVersions); rsa_sign and sign_with_hmac are FS4 commands.
   */
  public boolean inFs3() {
    return this != RSA_PUBLIC_KEY && this != RSA_4096_SIGNATURES && this != HMAC_DIGEST;
  }

  /** The reserved section for a section type, if it is one. */
  public static java.util.Optional<ReservedSection> of(int typeCode) {
    for (ReservedSection section : values()) {
      if (section.type.code() == typeCode) {
        return java.util.Optional.of(section);
      }
    }
    return java.util.Optional.empty();
  }
}
