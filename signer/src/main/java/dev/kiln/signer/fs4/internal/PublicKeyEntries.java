package dev.kiln.signer.fs4.internal;

import dev.kiln.signer.fs4.KeyUuid;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entries of a PUBLIC_KEYS_2048 / PUBLIC_KEYS_4096 section (mstflint's cx4fw_public_key_2048 and
 * _4096 layouts, fs4-format.md §13).
 *
 * <pre>
 * offset  size        field
 * 0x00    4           bits 0-7 auth_type (3 = RSA-2048, 4 = RSA-4096); bit 27 frc_en,
 *                     28 mlnx_nvconf_en, 29 vendor_nvconf_en, 30 cs_token_en, 31 fw_en
 * 0x04    8           reserved (0)
 * 0x0C    4           public exponent
 * 0x10    16          keypair_uuid
 * 0x20    256 / 512   modulus, big-endian
 * </pre>
 *
 * Entries are 0x120 bytes for RSA-2048 and 0x220 bytes for RSA-4096; a section is an array of one
 * size, padded with zeros. An entry whose auth_type is not the section's is empty.
 */
public final class PublicKeyEntries {
  /** Entry size for RSA-2048 keys. */
  public static final int ENTRY_2048 = 0x120;

  /** Entry size for RSA-4096 keys. */
  public static final int ENTRY_4096 = 0x220;

  /** auth_type of an RSA-2048 entry. */
  public static final int AUTH_TYPE_2048 = 3;

  /** auth_type of an RSA-4096 entry. */
  public static final int AUTH_TYPE_4096 = 4;

  /** fw_en: the key may sign firmware. */
  public static final int FW_EN = 1 << 31;

  private PublicKeyEntries() {}

  /** One decoded entry. */
  public record Entry(int index, KeyUuid uuid, RSAPublicKey key) {}

  /** Entry size for a key of {@code modulusBytes} (256 or 512). */
  public static int entrySize(int modulusBytes) {
    return modulusBytes == 512 ? ENTRY_4096 : ENTRY_2048;
  }

  /** Encodes one entry with fw_en set. */
  public static byte[] encode(RSAPublicKey key, KeyUuid uuid) {
    int modulusBytes = Pkcs1.modulusBytes(key);
    if (modulusBytes != 256 && modulusBytes != 512) {
      throw new IllegalArgumentException(
          "PUBLIC_KEYS entries hold RSA-2048 or RSA-4096 keys, not RSA-" + modulusBytes * 8);
    }
    BigInteger exponent = key.getPublicExponent();
    if (exponent.bitLength() > 32) {
      throw new IllegalArgumentException("the public exponent does not fit 32 bits");
    }
    ByteBuffer entry = ByteBuffer.allocate(entrySize(modulusBytes));
    entry.putInt(0, FW_EN | (modulusBytes == 512 ? AUTH_TYPE_4096 : AUTH_TYPE_2048));
    entry.putInt(0x0C, exponent.intValue());
    entry.put(0x10, uuid.bytes());
    entry.put(0x20, unsigned(key.getModulus(), modulusBytes));
    return entry.array();
  }

  /**
   * Decodes every non-empty entry. The entry size comes from the auth_type of the first entry (byte
   * 3), as mstflint decides the section type of a public-keys file.
   */
  public static List<Entry> decode(byte[] section) {
    List<Entry> entries = new ArrayList<>();
    if (section.length < 4) {
      return entries;
    }
    int authType = section[3] & 0xFF;
    int size;
    int modulusBytes;
    if (authType == AUTH_TYPE_2048) {
      size = ENTRY_2048;
      modulusBytes = 256;
    } else if (authType == AUTH_TYPE_4096) {
      size = ENTRY_4096;
      modulusBytes = 512;
    } else {
      return entries;
    }
    ByteBuffer buffer = ByteBuffer.wrap(section);
    for (int offset = 0, index = 0; offset + size <= section.length; offset += size, index++) {
      if ((section[offset + 3] & 0xFF) != authType) {
        continue;
      }
      byte[] modulus = Arrays.copyOfRange(section, offset + 0x20, offset + 0x20 + modulusBytes);
      BigInteger n = new BigInteger(1, modulus);
      long e = Integer.toUnsignedLong(buffer.getInt(offset + 0x0C));
      if (n.signum() == 0 || e == 0) {
        continue;
      }
      byte[] uuid = Arrays.copyOfRange(section, offset + 0x10, offset + 0x20);
      try {
        RSAPublicKey key =
            (RSAPublicKey)
                KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(n, BigInteger.valueOf(e)));
        entries.add(new Entry(index, new KeyUuid(uuid), key));
      } catch (GeneralSecurityException | ClassCastException ex) {
        // A malformed entry is treated as empty: it cannot verify anything.
      }
    }
    return entries;
  }

  /** {@code value} as exactly {@code length} big-endian bytes. */
  public static byte[] unsigned(BigInteger value, int length) {
    byte[] raw = value.toByteArray();
    byte[] out = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
    return out;
  }
}
