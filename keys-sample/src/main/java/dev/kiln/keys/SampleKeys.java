package dev.kiln.keys;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Access to the sample keys (<strong>NOT FOR PRODUCTION</strong>) and their variants, and the check
 * {@code kiln sign} uses to refuse them.
 *
 * <p>Variants of the same key pairs, for the key readers' tests:
 *
 * <ul>
 *   <li>{@link #RSA2048_PKCS1}: RSA-2048 as a PKCS#1 {@code RSA PRIVATE KEY};
 *   <li>{@link #RSA2048_PKCS1_ENCRYPTED}: the same, with OpenSSL legacy AES-256-CBC encryption;
 *   <li>{@link #RSA4096_PKCS8_ENCRYPTED}: RSA-4096 as PKCS#8 PBES2 (PBKDF2-HMAC-SHA256, AES-256);
 *   <li>{@link #PASSPHRASE}: the passphrase of both encrypted files, one line.
 * </ul>
 */
public final class SampleKeys {
  /** The classpath directory of every sample file. */
  public static final String RESOURCE_DIR = "/dev/kiln/keys/";

  public static final String RSA2048_PKCS1 =
      RESOURCE_DIR + "sample-rsa2048-pkcs1-NOT-FOR-PRODUCTION.pem";
  public static final String RSA2048_PKCS1_ENCRYPTED =
      RESOURCE_DIR + "sample-rsa2048-pkcs1-encrypted-NOT-FOR-PRODUCTION.pem";
  public static final String RSA4096_PKCS8_ENCRYPTED =
      RESOURCE_DIR + "sample-rsa4096-encrypted-NOT-FOR-PRODUCTION.pem";
  public static final String PASSPHRASE = RESOURCE_DIR + "sample-passphrase-NOT-FOR-PRODUCTION.txt";

  private SampleKeys() {}

  /**
   * The sample key whose public key has this fingerprint (SHA-256 of the SPKI DER, hex, any case).
   */
  public static Optional<SampleKey> byFingerprint(String fingerprint) {
    String wanted = fingerprint.toLowerCase(Locale.ROOT);
    return Arrays.stream(SampleKey.values())
        .filter(key -> key.fingerprint().equals(wanted))
        .findFirst();
  }

  /** Whether this fingerprint belongs to a sample key (which must never sign production images). */
  public static boolean isSample(String fingerprint) {
    return byFingerprint(fingerprint).isPresent();
  }

  /** The text of a classpath resource of this module. */
  public static String resourceText(String resource) {
    return new String(resourceBytes(resource), StandardCharsets.US_ASCII);
  }

  /** The bytes of a classpath resource of this module. */
  public static byte[] resourceBytes(String resource) {
    try (InputStream in = SampleKeys.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no such sample resource " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Copies a resource into {@code directory} under its own file name, readable by the owner only
   * where the file system supports it, and returns the new file.
   */
  public static Path copyTo(String resource, Path directory) throws IOException {
    Files.createDirectories(directory);
    Path target = directory.resolve(resource.substring(resource.lastIndexOf('/') + 1));
    try (InputStream in = SampleKeys.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no such sample resource " + resource);
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }

  /** Copies the private key of {@code key} into {@code directory}; see {@link #copyTo}. */
  public static Path writePrivateKey(SampleKey key, Path directory) throws IOException {
    return copyTo(key.privateKeyResource(), directory);
  }

  /** Copies the public key of {@code key} into {@code directory}; see {@link #copyTo}. */
  public static Path writePublicKey(SampleKey key, Path directory) throws IOException {
    return copyTo(key.publicKeyResource(), directory);
  }
}
