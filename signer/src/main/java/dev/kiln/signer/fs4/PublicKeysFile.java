package dev.kiln.signer.fs4;

import dev.kiln.signer.fs4.internal.Pkcs1;
import dev.kiln.signer.fs4.internal.PublicKeyEntries;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Objects;

/**
 * Builds PUBLIC_KEYS_2048 / PUBLIC_KEYS_4096 section files from public keys and their UUIDs, in the
 * layout mstflint's {@code set_public_keys} accepts (entry layout in {@code docs/signing.md}).
 */
public final class PublicKeysFile {
  private PublicKeysFile() {}

  /** One key to register. */
  public record Key(RSAPublicKey publicKey, KeyUuid uuid) {
    public Key {
      Objects.requireNonNull(publicKey, "publicKey");
      Objects.requireNonNull(uuid, "uuid");
    }
  }

  /** Bytes of one PUBLIC_KEYS entry for {@code key} (RSA-2048: 0x120, RSA-4096: 0x220). */
  public static int entrySize(RSAPublicKey key) {
    return PublicKeyEntries.entrySize(Pkcs1.modulusBytes(key));
  }

  /**
   * Encodes the keys, in order, followed by zeros up to {@code size} bytes.
   *
   * @throws IllegalArgumentException (a usage error, message for the user) when the keys are not
   *     all RSA-2048 or all RSA-4096, or do not fit, or the size is not a multiple of 4 or below
   *     the 0x220 bytes mstflint requires
   */
  public static byte[] encode(List<Key> keys, int size) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("at least one key is needed");
    }
    int modulusBytes = Pkcs1.modulusBytes(keys.get(0).publicKey());
    for (Key key : keys) {
      int bytes = Pkcs1.modulusBytes(key.publicKey());
      if (bytes != 256 && bytes != 512) {
        throw new IllegalArgumentException(
            "key " + key.uuid() + " is RSA-" + bytes * 8 + "; only RSA-2048 and RSA-4096 fit");
      }
      if (bytes != modulusBytes) {
        throw new IllegalArgumentException(
            "a PUBLIC_KEYS section holds keys of one size; got RSA-"
                + modulusBytes * 8
                + " and RSA-"
                + bytes * 8);
      }
    }
    int entrySize = PublicKeyEntries.entrySize(modulusBytes);
    if (size % 4 != 0 || size < Fs4ImageSigner.MIN_PUBLIC_KEYS_LENGTH) {
      throw new IllegalArgumentException(
          String.format(
              "the section size must be a multiple of 4 and at least 0x%x bytes, not 0x%x",
              Fs4ImageSigner.MIN_PUBLIC_KEYS_LENGTH, size));
    }
    if ((long) keys.size() * entrySize > size) {
      throw new IllegalArgumentException(
          String.format(
              "%d keys of RSA-%d need 0x%x bytes; the section has 0x%x",
              keys.size(), modulusBytes * 8, keys.size() * entrySize, size));
    }
    byte[] section = new byte[size];
    for (int i = 0; i < keys.size(); i++) {
      byte[] entry = PublicKeyEntries.encode(keys.get(i).publicKey(), keys.get(i).uuid());
      System.arraycopy(entry, 0, section, i * entrySize, entry.length);
    }
    return section;
  }
}
