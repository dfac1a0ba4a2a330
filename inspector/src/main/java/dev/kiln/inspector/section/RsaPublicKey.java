package dev.kiln.inspector.section;

import dev.kiln.inspector.format.Dwords;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The RSA_PUBLIC_KEY section (type 0xA6, 0x1100 bytes): the secure-boot key list that {@code
 * mstflint rsa_sign} fills (fs4-format.md §13, §16.5). Eight entries of 0x220 bytes; HW pointer
 * {@code public_key_pointer} points at entry 0, whose first 532 bytes {@code export_public_key}
 * prints.
 *
 * <table>
 *   <caption>One entry</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th></tr>
 *   <tr><td>0x000</td><td>4</td><td>exponent (0x00010001)</td></tr>
 *   <tr><td>0x004</td><td>16</td><td>keypair_uuid</td></tr>
 *   <tr><td>0x014</td><td>512</td><td>modulus, big-endian (4096-bit keys only)</td></tr>
 *   <tr><td>0x214</td><td>4</td><td>component_authentication_configuration (mstflint writes
 *       0)</td></tr>
 *   <tr><td>0x218</td><td>8</td><td>padding (0)</td></tr>
 * </table>
 *
 * @param entries the entries in order (Kiln writes 8)
 */
public record RsaPublicKey(List<Entry> entries) {
  /** Size of one entry. */
  public static final int ENTRY_SIZE = 0x220;

  /** Entries in the section mstflint writes. */
  public static final int ENTRIES = 8;

  /** Size of the section. */
  public static final int SIZE = ENTRIES * ENTRY_SIZE;

  /** Modulus length (4096-bit keys). */
  public static final int MODULUS_LENGTH = 512;

  /**
   * One entry.
   *
   * @param exponent public exponent
   * @param keypairUuid 16 bytes
   * @param modulus 512 bytes
   * @param componentAuthenticationConfiguration the dword at 0x214
   */
  public record Entry(
      int exponent, byte[] keypairUuid, byte[] modulus, int componentAuthenticationConfiguration) {
    public Entry {
      keypairUuid = Fields.exact("keypair_uuid", keypairUuid, 16);
      modulus = Fields.exact("modulus", modulus, MODULUS_LENGTH);
    }

    /** An all-zero entry. */
    public static Entry empty() {
      return new Entry(0, new byte[16], new byte[MODULUS_LENGTH], 0);
    }

    @Override
    public byte[] keypairUuid() {
      return keypairUuid.clone();
    }

    @Override
    public byte[] modulus() {
      return modulus.clone();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Entry that
          && exponent == that.exponent
          && componentAuthenticationConfiguration == that.componentAuthenticationConfiguration
          && Arrays.equals(keypairUuid, that.keypairUuid)
          && Arrays.equals(modulus, that.modulus);
    }

    @Override
    public int hashCode() {
      return exponent + 31 * Arrays.hashCode(keypairUuid) + 961 * Arrays.hashCode(modulus)
          + componentAuthenticationConfiguration;
    }

    @Override
    public String toString() {
      return String.format("Entry[exponent=0x%x, keypairUuid=%s]", exponent,
          Fields.hex(keypairUuid));
    }
  }

  public RsaPublicKey {
    entries = List.copyOf(entries);
  }

  /** A section of eight empty entries. */
  public static RsaPublicKey empty() {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < ENTRIES; i++) {
      entries.add(Entry.empty());
    }
    return new RsaPublicKey(entries);
  }

  /** Decodes a body (position to limit; the buffer is not moved). */
  public static RsaPublicKey decode(ByteBuffer body) throws SectionFormatException {
    return decode(Fields.remaining(body));
  }

  /**
   * Decodes every whole entry of a body.
   *
   * @throws SectionFormatException if it does not hold one whole entry
   */
  public static RsaPublicKey decode(byte[] body) throws SectionFormatException {
    Fields.requireLength("RSA_PUBLIC_KEY", body, ENTRY_SIZE);
    List<Entry> entries = new ArrayList<>();
    for (int at = 0; at + ENTRY_SIZE <= body.length; at += ENTRY_SIZE) {
      entries.add(new Entry(
          Dwords.get(body, at),
          Fields.slice(body, at + 4, 16),
          Fields.slice(body, at + 0x14, MODULUS_LENGTH),
          Dwords.get(body, at + 0x214)));
    }
    return new RsaPublicKey(entries);
  }

  /** The section body: the entries, at least {@link #SIZE} bytes (missing entries are 0). */
  public byte[] encode() {
    byte[] body = new byte[Math.max(SIZE, entries.size() * ENTRY_SIZE)];
    int at = 0;
    for (Entry entry : entries) {
      Dwords.put(body, at, entry.exponent);
      System.arraycopy(entry.keypairUuid, 0, body, at + 4, 16);
      System.arraycopy(entry.modulus, 0, body, at + 0x14, MODULUS_LENGTH);
      Dwords.put(body, at + 0x214, entry.componentAuthenticationConfiguration);
      at += ENTRY_SIZE;
    }
    return body;
  }
}
