package dev.kiln.signer.fs4;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link ImageSignatureVerifier} found in each IMAGE_SIGNATURE_256/512 section of an image.
 *
 * @param entries one per signature section present, in the order 256, 512
 */
public record SignatureReport(List<Entry> entries) {
  public SignatureReport {
    entries = List.copyOf(entries);
  }

  /** The state of one signature section. */
  public enum Status {
    /** An RSA signature by a trusted key over the current bytes. */
    VERIFIED(true, false),
    /** An RSA signature whose key UUID matches no trusted key. */
    UNKNOWN_KEY(true, true),
    /** An RSA signature by a trusted key, but over other bytes: the image changed after signing. */
    NOT_COVERING(true, true),
    /** Bytes that no candidate key's public operation turns into a PKCS#1 signature. */
    BAD_SIGNATURE(true, true),
    /** The unkeyed SHA-256 digest (mstflint {@code sign} without key), matching the bytes. */
    DIGEST_OK(false, false),
    /** The unkeyed SHA-256 digest, not matching the bytes. */
    DIGEST_MISMATCH(false, true),
    /** All zeros or all 0xFF: no signature. */
    EMPTY(false, false);

    private final boolean signature;
    private final boolean failure;

    Status(boolean signature, boolean failure) {
      this.signature = signature;
      this.failure = failure;
    }

    /** True when the section holds (or claims to hold) an RSA signature. */
    public boolean isSignature() {
      return signature;
    }

    /** True when this state fails {@code kiln verify --trust}. */
    public boolean isFailure() {
      return failure;
    }
  }

  /**
   * One signature section.
   *
   * @param sectionName IMAGE_SIGNATURE_256 or IMAGE_SIGNATURE_512
   * @param offset file offset of the section
   * @param status what was found
   * @param keyUuid the key UUID stored in the section (empty for digest-only and empty sections)
   * @param trustedKey the trusted key it verified against (origin), when verified
   * @param detail one sentence for humans
   */
  public record Entry(
      String sectionName,
      long offset,
      Status status,
      Optional<KeyUuid> keyUuid,
      Optional<String> trustedKey,
      String detail) {
    public Entry {
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(keyUuid, "keyUuid");
      Objects.requireNonNull(trustedKey, "trustedKey");
    }
  }

  /** True when at least one section holds an RSA signature. */
  public boolean isSigned() {
    return entries.stream().anyMatch(e -> e.status().isSignature());
  }

  /** True when some section is in a failing state. */
  public boolean hasFailures() {
    return entries.stream().anyMatch(e -> e.status().isFailure());
  }

  /**
   * The verdict of {@code kiln verify} with trust (or {@code --require-signed}): signed, and no
   * failing section.
   */
  public boolean passes() {
    return isSigned() && !hasFailures();
  }
}
