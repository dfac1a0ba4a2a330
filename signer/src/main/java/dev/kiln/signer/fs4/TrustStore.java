package dev.kiln.signer.fs4;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.Section;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.io.BoundedFiles;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.SigningServices;
import dev.kiln.signer.fs4.internal.PublicKeyEntries;
import dev.kiln.signer.pem.PemKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The public keys a signature may verify against. Keys from a PUBLIC_KEYS section carry their key
 * UUID, and a signature only matches a key with the same UUID; keys from PEM files carry none and
 * match any UUID (the report then names the UUID found in the image).
 */
public final class TrustStore {
  /**
   * Largest trust file read (PEM public keys or certificates, or a PUBLIC_KEYS section file):
   * far above a certificate chain, far below anything that could exhaust the heap.
   */
  public static final long MAX_TRUST_FILE_BYTES = 256L << 10;

  private final List<TrustedKey> keys;

  /**
   * One trusted key.
   *
   * @param key the RSA public key
   * @param uuid the key UUID it is registered under, or empty for a PEM key
   * @param origin where it came from, for reports (file name and entry index)
   */
  public record TrustedKey(RSAPublicKey key, Optional<KeyUuid> uuid, String origin) {
    public TrustedKey {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(uuid, "uuid");
      Objects.requireNonNull(origin, "origin");
    }

    /** True when this key may have made a signature stored with {@code signatureUuid}. */
    public boolean matches(KeyUuid signatureUuid) {
      return uuid.isEmpty() || uuid.get().equals(signatureUuid);
    }
  }

  private TrustStore(List<TrustedKey> keys) {
    this.keys = List.copyOf(keys);
  }

  public static TrustStore of(List<TrustedKey> keys) {
    return new TrustStore(keys);
  }

  public static TrustStore empty() {
    return new TrustStore(List.of());
  }

  public List<TrustedKey> keys() {
    return keys;
  }

  public boolean isEmpty() {
    return keys.isEmpty();
  }

  /** This store and {@code other} together. */
  public TrustStore plus(TrustStore other) {
    List<TrustedKey> all = new ArrayList<>(keys);
    all.addAll(other.keys);
    return new TrustStore(all);
  }

  /** True when {@code text} is a key reference ({@code file:}, {@code pkcs11:}, {@code awskms:}). */
  public static boolean isKeyReference(String text) {
    return text.startsWith("file:") || text.startsWith("pkcs11:") || text.startsWith("awskms:");
  }

  /**
   * The bytes of a trust or public-key file, within {@link #MAX_TRUST_FILE_BYTES}.
   *
   * @throws IOException if it is not a regular file, is larger, or cannot be read (one line)
   */
  public static byte[] readFile(Path file) throws IOException {
    return BoundedFiles.read(file, MAX_TRUST_FILE_BYTES, "a trust file");
  }

  /**
   * Loads one trust argument: a key reference, whose key's public half is trusted under any UUID
   * (as cosign's {@code verify --key} takes one), or else a file as {@link #load(Path)} reads it.
   *
   * @throws IOException if the file cannot be read
   * @throws KeyAccessException if the key cannot be opened or the file holds no usable key
   */
  public static TrustStore load(String argument, KeyOptions options)
      throws IOException, KeyAccessException {
    if (!isKeyReference(argument)) {
      return load(Path.of(argument));
    }
    try (SigningService service = SigningServices.open(argument, options)) {
      return new TrustStore(
          List.of(new TrustedKey(service.publicKey(), Optional.empty(), service.describe())));
    }
  }

  /**
   * Loads one file: PEM public keys (text starting with {@code -----BEGIN}, {@code PUBLIC KEY} or
   * {@code RSA PUBLIC KEY}), a binary PUBLIC_KEYS section file, or a DER public key
   * (SubjectPublicKeyInfo or PKCS#1, as {@code pkcs11-tool --read-object --type pubkey} writes).
   *
   * @throws IOException if the file cannot be read
   * @throws KeyAccessException if it holds none of these
   */
  public static TrustStore load(Path file) throws IOException, KeyAccessException {
    byte[] content = readFile(file);
    String text = new String(content, StandardCharsets.US_ASCII);
    if (text.contains("-----BEGIN")) {
      RSAPublicKey key = PemKeys.readPublicKey(text, file.toString());
      return new TrustStore(List.of(new TrustedKey(key, Optional.empty(), file.toString())));
    }
    if (content.length > 0 && content[0] == 0x30) { // a DER SEQUENCE, not a section entry
      try {
        RSAPublicKey key = PemKeys.readPublicKeyDer(content, file.toString());
        return new TrustStore(List.of(new TrustedKey(key, Optional.empty(), file.toString())));
      } catch (KeyAccessException e) {
        // not DER: read it as a section file below
      }
    }
    TrustStore store = fromPublicKeysSection(content, file.toString());
    if (store.isEmpty()) {
      throw new KeyAccessException(
          file
              + ": neither a PEM or DER public key nor a PUBLIC_KEYS section with a key in it");
    }
    return store;
  }

  /** The keys of a PUBLIC_KEYS_2048/4096 section (or section file). */
  public static TrustStore fromPublicKeysSection(byte[] section, String origin) {
    List<TrustedKey> keys = new ArrayList<>();
    for (PublicKeyEntries.Entry entry : PublicKeyEntries.decode(section)) {
      keys.add(
          new TrustedKey(
              entry.key(), Optional.of(entry.uuid()), origin + " entry " + entry.index()));
    }
    return new TrustStore(keys);
  }

  /** The keys of the image's own PUBLIC_KEYS_2048 and PUBLIC_KEYS_4096 sections. */
  public static TrustStore fromImage(Fs4Image image) {
    TrustStore store = empty();
    for (SectionType type : List.of(SectionType.PUBLIC_KEYS_2048, SectionType.PUBLIC_KEYS_4096)) {
      for (Section section : image.sectionsOf(type)) {
        store =
            store.plus(fromPublicKeysSection(image.bodyBytes(section), "image " + section.name()));
      }
    }
    return store;
  }
}
