package dev.kiln.inspector.section;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The RSA_4096_SIGNATURES section (type 0xA7, 0x600 bytes) that {@code mstflint rsa_sign} fills
 * (fs4-format.md §13, §16.5–§16.6).
 *
 * <table>
 *   <caption>Layout</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th></tr>
 *   <tr><td>0x000</td><td>512</td><td>boot signature (RSA-SHA-512)</td></tr>
 *   <tr><td>0x200</td><td>512</td><td>critical-sections signature (v1 images; 0 on v2)</td></tr>
 *   <tr><td>0x400</td><td>512</td><td>non-critical-sections signature (v1 images; 0 on
 *       v2)</td></tr>
 * </table>
 *
 * @param boot boot signature (512 bytes)
 * @param critical critical-sections signature (512 bytes)
 * @param nonCritical non-critical-sections signature (512 bytes)
 */
public record Rsa4096Signatures(byte[] boot, byte[] critical, byte[] nonCritical) {
  /** Length of one signature. */
  public static final int SIGNATURE_LENGTH = 512;

  /** Size of the section. */
  public static final int SIZE = 3 * SIGNATURE_LENGTH;

  public Rsa4096Signatures {
    boot = Fields.exact("boot signature", boot, SIGNATURE_LENGTH);
    critical = Fields.exact("critical signature", critical, SIGNATURE_LENGTH);
    nonCritical = Fields.exact("non-critical signature", nonCritical, SIGNATURE_LENGTH);
  }

  /** All three signatures zero. */
  public static Rsa4096Signatures empty() {
    return new Rsa4096Signatures(
        new byte[SIGNATURE_LENGTH], new byte[SIGNATURE_LENGTH], new byte[SIGNATURE_LENGTH]);
  }

  @Override
  public byte[] boot() {
    return boot.clone();
  }

  @Override
  public byte[] critical() {
    return critical.clone();
  }

  @Override
  public byte[] nonCritical() {
    return nonCritical.clone();
  }

  /** Decodes a body (position to limit; the buffer is not moved). */
  public static Rsa4096Signatures decode(ByteBuffer body) throws SectionFormatException {
    return decode(Fields.remaining(body));
  }

  /**
   * Decodes a body; bytes after 0x600 are ignored.
   *
   * @throws SectionFormatException if it is shorter than 0x600 bytes
   */
  public static Rsa4096Signatures decode(byte[] body) throws SectionFormatException {
    Fields.requireLength("RSA_4096_SIGNATURES", body, SIZE);
    return new Rsa4096Signatures(
        Fields.slice(body, 0, SIGNATURE_LENGTH),
        Fields.slice(body, SIGNATURE_LENGTH, SIGNATURE_LENGTH),
        Fields.slice(body, 2 * SIGNATURE_LENGTH, SIGNATURE_LENGTH));
  }

  /** The 0x600-byte body. */
  public byte[] encode() {
    byte[] body = new byte[SIZE];
    System.arraycopy(boot, 0, body, 0, SIGNATURE_LENGTH);
    System.arraycopy(critical, 0, body, SIGNATURE_LENGTH, SIGNATURE_LENGTH);
    System.arraycopy(nonCritical, 0, body, 2 * SIGNATURE_LENGTH, SIGNATURE_LENGTH);
    return body;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Rsa4096Signatures that
        && Arrays.equals(boot, that.boot)
        && Arrays.equals(critical, that.critical)
        && Arrays.equals(nonCritical, that.nonCritical);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(boot) + 31 * Arrays.hashCode(critical)
        + 961 * Arrays.hashCode(nonCritical);
  }

  @Override
  public String toString() {
    return "Rsa4096Signatures[0x600 bytes]";
  }
}
