package dev.kiln.inspector.section;

import dev.kiln.inspector.format.Dwords;
import dev.kiln.inspector.format.SectionType;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An IMAGE_SIGNATURE_256 (type 0xA0, 0x140 bytes) or IMAGE_SIGNATURE_512 (type 0xA3, 0x240 bytes)
 * section (fs4-format.md §13, §16.3–§16.4).
 *
 * <table>
 *   <caption>Layout (S = 256 or 512)</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th></tr>
 *   <tr><td>0x00</td><td>16</td><td>signature_uuid (mstflint writes 0)</td></tr>
 *   <tr><td>0x10</td><td>16</td><td>keypair_uuid of the signing key</td></tr>
 *   <tr><td>0x20</td><td>S</td><td>signature (RSA PKCS#1 v1.5 over the fw-update blob; an
 *       unkeyed {@code sign} stores the bare SHA-256 digest in the first 32 bytes)</td></tr>
 *   <tr><td>0x20+S</td><td>0x20</td><td>zero padding</td></tr>
 * </table>
 *
 * @param kind which of the two sections
 * @param signatureUuid signature_uuid (16 bytes)
 * @param keypairUuid keypair_uuid (16 bytes)
 * @param signature the signature field (256 or 512 bytes)
 */
public record ImageSignature(
    Kind kind, byte[] signatureUuid, byte[] keypairUuid, byte[] signature) {

  /** The two signature sections. */
  public enum Kind {
    /** IMAGE_SIGNATURE_256: RSA-2048 / SHA-256. */
    SIGNATURE_256(SectionType.IMAGE_SIGNATURE_256, 256),
    /** IMAGE_SIGNATURE_512: RSA-4096 / SHA-512. */
    SIGNATURE_512(SectionType.IMAGE_SIGNATURE_512, 512);

    private final SectionType type;
    private final int signatureLength;

    Kind(SectionType type, int signatureLength) {
      this.type = type;
      this.signatureLength = signatureLength;
    }

    public SectionType sectionType() {
      return type;
    }

    /** Length of the signature field. */
    public int signatureLength() {
      return signatureLength;
    }

    /** Size of the section: two UUIDs, the signature and 0x20 bytes of padding. */
    public int sectionSize() {
      return 0x20 + signatureLength + 0x20;
    }
  }

  public ImageSignature {
    signatureUuid = Fields.exact("signature_uuid", signatureUuid, 16);
    keypairUuid = Fields.exact("keypair_uuid", keypairUuid, 16);
    signature = Fields.exact("signature", signature, kind.signatureLength());
  }

  /** An all-zero (unsigned) section of {@code kind}. */
  public static ImageSignature empty(Kind kind) {
    return new ImageSignature(kind, new byte[16], new byte[16], new byte[kind.signatureLength()]);
  }

  @Override
  public byte[] signatureUuid() {
    return signatureUuid.clone();
  }

  @Override
  public byte[] keypairUuid() {
    return keypairUuid.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** Decodes a body of {@code kind} (position to limit; the buffer is not moved). */
  public static ImageSignature decode(Kind kind, ByteBuffer body) throws SectionFormatException {
    return decode(kind, Fields.remaining(body));
  }

  /**
   * Decodes a body of {@code kind}; bytes after the signature are ignored.
   *
   * @throws SectionFormatException if it is shorter than the two UUIDs and the signature
   */
  public static ImageSignature decode(Kind kind, byte[] body) throws SectionFormatException {
    Fields.requireLength(kind.sectionType().printedName(), body, 0x20 + kind.signatureLength());
    return new ImageSignature(
        kind,
        Fields.slice(body, 0, 16),
        Fields.slice(body, 0x10, 16),
        Fields.slice(body, 0x20, kind.signatureLength()));
  }

  /** The section body ({@link Kind#sectionSize()} bytes). */
  public byte[] encode() {
    byte[] body = new byte[kind.sectionSize()];
    System.arraycopy(signatureUuid, 0, body, 0, 16);
    System.arraycopy(keypairUuid, 0, body, 0x10, 16);
    System.arraycopy(signature, 0, body, 0x20, signature.length);
    return body;
  }

  /** True when UUIDs and signature are all zero (never signed, or zeroed by the other sign). */
  public boolean isEmpty() {
    return isZero(signatureUuid) && isZero(keypairUuid) && isZero(signature);
  }

  /**
   * True when the keypair UUID marks a development key, as mstflint's query decides it: not all
   * zero, its fourth dword 0 and the low 16 bits of its third dword 0 (fs4-format.md §15).
   */
  public boolean isDevKey() {
    return !isZero(keypairUuid)
        && Dwords.get(keypairUuid, 12) == 0
        && (Dwords.get(keypairUuid, 8) & 0xFFFF) == 0;
  }

  private static boolean isZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ImageSignature that
        && kind == that.kind
        && Arrays.equals(signatureUuid, that.signatureUuid)
        && Arrays.equals(keypairUuid, that.keypairUuid)
        && Arrays.equals(signature, that.signature);
  }

  @Override
  public int hashCode() {
    return ((kind.hashCode() * 31 + Arrays.hashCode(signatureUuid)) * 31
            + Arrays.hashCode(keypairUuid)) * 31
        + Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "ImageSignature[" + kind + ", keypairUuid=" + Fields.hex(keypairUuid)
        + (isEmpty() ? ", empty]" : "]");
  }
}
