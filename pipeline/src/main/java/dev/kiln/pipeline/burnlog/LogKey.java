package dev.kiln.pipeline.burnlog;

import dev.kiln.inspector.io.BoundedFiles;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyReference;
import dev.kiln.signer.pkcs11.Pkcs11Hmac;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA256 key of a keyed burn log ({@code --log-key KEY}): either a file (16 to 4,096
 * bytes; a text file of hex digits works as well as raw bytes) or a PKCS#11 secret-key object
 * ({@code pkcs11:token=…;object=…?module-path=…&pin-source=…}, through the signer's PKCS#11 layer;
 * the key never leaves the token). Its id, the first 16 hex digits of HMAC-SHA256(key, "kiln burn
 * log key id"), names the key in every record without revealing it. The key itself never appears
 * in a message or a log.
 */
public final class LogKey implements AutoCloseable {
  static final int MIN_BYTES = 16;
  static final int MAX_BYTES = 4096;

  /** Computes the MAC; failures of a token are unchecked here and reported by the caller. */
  private interface MacFunction {
    byte[] mac(byte[] data) throws KeyAccessException;
  }

  private final MacFunction function;
  private final AutoCloseable resource;
  private final String id;

  private LogKey(MacFunction function, AutoCloseable resource) {
    this.function = function;
    this.resource = resource;
    this.id = mac("kiln burn log key id".getBytes(StandardCharsets.US_ASCII)).substring(0, 16);
  }

  /** Reads a key file. */
  public static LogKey read(Path file) throws IOException {
    byte[] bytes = BoundedFiles.read(file, MAX_BYTES, "a burn-log key file");
    if (bytes.length < MIN_BYTES) {
      throw new IOException(
          file + ": a burn-log key file holds " + MIN_BYTES + " to " + MAX_BYTES + " bytes");
    }
    SecretKeySpec key = new SecretKeySpec(bytes, "HmacSHA256");
    return new LogKey(
        data -> {
          try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data);
          } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every JRE has HmacSHA256", e);
          }
        },
        null);
  }

  /**
   * Opens {@code text}: a {@code pkcs11:} reference to a secret-key object, else a key file.
   *
   * @throws KeyAccessException when the token or its key cannot be used
   */
  public static LogKey open(String text) throws IOException, KeyAccessException {
    if (!text.startsWith("pkcs11:")) {
      return read(Path.of(text));
    }
    KeyReference reference;
    try {
      reference = KeyReference.parse(text);
    } catch (IllegalArgumentException e) {
      throw new KeyAccessException("--log-key: " + e.getMessage());
    }
    Pkcs11Hmac hmac = Pkcs11Hmac.open((KeyReference.Pkcs11Key) reference);
    try {
      return new LogKey(hmac::mac, hmac);
    } catch (UncheckedIOException | IllegalStateException e) {
      hmac.close();
      throw e;
    }
  }

  /** The key's public id. */
  public String id() {
    return id;
  }

  /** Lower-case hex HMAC-SHA256 of {@code data}. */
  String mac(byte[] data) {
    try {
      return HexFormat.of().formatHex(function.mac(data));
    } catch (KeyAccessException e) {
      throw new IllegalStateException("the burn-log key failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (resource != null) {
      try {
        resource.close();
      } catch (Exception e) {
        // Closing a token session: nothing left to protect.
      }
    }
  }
}
