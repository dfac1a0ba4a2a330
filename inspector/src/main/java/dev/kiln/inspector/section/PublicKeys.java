package dev.kiln.inspector.section;

import dev.kiln.inspector.format.Dwords;
import dev.kiln.inspector.format.SectionType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A PUBLIC_KEYS_2048 (type 0xA1) or PUBLIC_KEYS_4096 (type 0xA4) section: the keys the device
 * accepts for firmware updates (fs4-format.md §13, §16.9). The section is a run of fixed-size
 * entries; Kiln writes 8.
 *
 * <table>
 *   <caption>One entry (M = modulus length: 256 for 2048, 512 for 4096)</caption>
 *   <tr><th>position</th><th>field</th></tr>
 *   <tr><td>0x0.0-7</td><td>auth_type: 3 for 2048-bit, 4 for 4096-bit keys (mstflint's
 *       set_public_keys checks byte 3 of the file)</td></tr>
 *   <tr><td>0x0.27</td><td>frc_en</td></tr>
 *   <tr><td>0x0.28</td><td>mlnx_nvconf_en</td></tr>
 *   <tr><td>0x0.29</td><td>vendor_nvconf_en</td></tr>
 *   <tr><td>0x0.30</td><td>cs_token_en</td></tr>
 *   <tr><td>0x0.31</td><td>fw_en: the key may sign firmware</td></tr>
 *   <tr><td>0x04..0x0B</td><td>reserved (0)</td></tr>
 *   <tr><td>0x0C</td><td>exponent</td></tr>
 *   <tr><td>0x10 (16)</td><td>keypair_uuid</td></tr>
 *   <tr><td>0x20 (M)</td><td>modulus, big-endian</td></tr>
 * </table>
 *
 * @param kind 2048 or 4096
 * @param entries the entries in section order (unused ones are all zero)
 */
public record PublicKeys(Kind kind, List<Entry> entries) {
  /** Number of entries Kiln writes. */
  public static final int DEFAULT_ENTRIES = 8;

  /** The two key-list sections. */
  public enum Kind {
    KEYS_2048(SectionType.PUBLIC_KEYS_2048, 256, 3),
    KEYS_4096(SectionType.PUBLIC_KEYS_4096, 512, 4);

    private final SectionType type;
    private final int modulusLength;
    private final int authType;

    Kind(SectionType type, int modulusLength, int authType) {
      this.type = type;
      this.modulusLength = modulusLength;
      this.authType = authType;
    }

    public SectionType sectionType() {
      return type;
    }

    public int modulusLength() {
      return modulusLength;
    }

    /** The auth_type value of this key size. */
    public int authType() {
      return authType;
    }

    /** Size of one entry. */
    public int entrySize() {
      return 0x20 + modulusLength;
    }

    /** RSA key size in bits. */
    public int keyBits() {
      return modulusLength * 8;
    }
  }

  /**
   * One key entry.
   *
   * @param authType auth_type
   * @param frcEn frc_en
   * @param mlnxNvconfEn mlnx_nvconf_en
   * @param vendorNvconfEn vendor_nvconf_en
   * @param csTokenEn cs_token_en
   * @param fwEn fw_en
   * @param exponent public exponent
   * @param keypairUuid 16 bytes
   * @param modulus modulus, exactly the kind's length
   */
  public record Entry(
      int authType,
      boolean frcEn,
      boolean mlnxNvconfEn,
      boolean vendorNvconfEn,
      boolean csTokenEn,
      boolean fwEn,
      int exponent,
      byte[] keypairUuid,
      byte[] modulus) {
    public Entry {
      keypairUuid = Fields.exact("keypair_uuid", keypairUuid, 16);
      modulus = modulus.clone();
      if (authType < 0 || authType > 0xFF) {
        throw new IllegalArgumentException("auth_type " + authType + " is not a byte");
      }
    }

    /** A firmware-signing key entry (fw_en set) for {@code kind}. */
    public static Entry firmwareKey(Kind kind, int exponent, byte[] keypairUuid, byte[] modulus) {
      return new Entry(kind.authType(), false, false, false, false, true, exponent, keypairUuid,
          Fields.exact("modulus", modulus, kind.modulusLength()));
    }

    /** An unused entry: all zero except auth_type, as mstflint's file check wants. */
    public static Entry unused(Kind kind) {
      return new Entry(kind.authType(), false, false, false, false, false, 0, new byte[16],
          new byte[kind.modulusLength()]);
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
          && authType == that.authType
          && frcEn == that.frcEn
          && mlnxNvconfEn == that.mlnxNvconfEn
          && vendorNvconfEn == that.vendorNvconfEn
          && csTokenEn == that.csTokenEn
          && fwEn == that.fwEn
          && exponent == that.exponent
          && Arrays.equals(keypairUuid, that.keypairUuid)
          && Arrays.equals(modulus, that.modulus);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(authType, fwEn, exponent)
          + 31 * Arrays.hashCode(keypairUuid) + 961 * Arrays.hashCode(modulus);
    }

    @Override
    public String toString() {
      return String.format("Entry[authType=%d, fwEn=%s, exponent=0x%x, keypairUuid=%s]",
          authType, fwEn, exponent, Fields.hex(keypairUuid));
    }
  }

  public PublicKeys {
    entries = List.copyOf(entries);
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("a public-keys section holds at least one entry");
    }
    for (Entry entry : entries) {
      if (entry.modulus.length != kind.modulusLength()) {
        throw new IllegalArgumentException(
            "modulus of " + entry.modulus.length + " bytes in a " + kind.keyBits() + "-bit list");
      }
    }
  }

  /** A section of {@code count} unused entries. */
  public static PublicKeys unused(Kind kind, int count) {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      entries.add(Entry.unused(kind));
    }
    return new PublicKeys(kind, entries);
  }

  /** Decodes a body of {@code kind} (position to limit; the buffer is not moved). */
  public static PublicKeys decode(Kind kind, ByteBuffer body) throws SectionFormatException {
    return decode(kind, Fields.remaining(body));
  }

  /**
   * Decodes every whole entry of a body; a trailing partial entry is ignored.
   *
   * @throws SectionFormatException if the body does not hold one whole entry
   */
  public static PublicKeys decode(Kind kind, byte[] body) throws SectionFormatException {
    Fields.requireLength(kind.sectionType().printedName(), body, kind.entrySize());
    List<Entry> entries = new ArrayList<>();
    for (int at = 0; at + kind.entrySize() <= body.length; at += kind.entrySize()) {
      int dword = Dwords.get(body, at);
      entries.add(new Entry(
          dword & 0xFF,
          (dword >>> 27 & 1) != 0,
          (dword >>> 28 & 1) != 0,
          (dword >>> 29 & 1) != 0,
          (dword >>> 30 & 1) != 0,
          (dword >>> 31 & 1) != 0,
          Dwords.get(body, at + 0x0C),
          Fields.slice(body, at + 0x10, 16),
          Fields.slice(body, at + 0x20, kind.modulusLength())));
    }
    return new PublicKeys(kind, entries);
  }

  /** Size of the encoded section. */
  public int sectionSize() {
    return entries.size() * kind.entrySize();
  }

  /** The section body (also the file {@code mstflint set_public_keys} takes). */
  public byte[] encode() {
    byte[] body = new byte[sectionSize()];
    int at = 0;
    for (Entry entry : entries) {
      int dword = (entry.authType & 0xFF)
          | (entry.frcEn ? 1 << 27 : 0)
          | (entry.mlnxNvconfEn ? 1 << 28 : 0)
          | (entry.vendorNvconfEn ? 1 << 29 : 0)
          | (entry.csTokenEn ? 1 << 30 : 0)
          | (entry.fwEn ? 1 << 31 : 0);
      Dwords.put(body, at, dword);
      Dwords.put(body, at + 0x0C, entry.exponent);
      System.arraycopy(entry.keypairUuid, 0, body, at + 0x10, 16);
      System.arraycopy(entry.modulus, 0, body, at + 0x20, entry.modulus.length);
      at += kind.entrySize();
    }
    return body;
  }
}
