package dev.kiln.pipeline.burnlog;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA256 key of a keyed burn log ({@code --log-key FILE}): the file's bytes (at least 16,
 * at most 4096; a text file of hex digits works as well as raw bytes). Its id, the first 16 hex
 * digits of SHA-256("kiln burn log key id" || key), names the key in every record without
 * revealing it. The key itself never appears in a message or a log.
 */
public final class LogKey {
  static final int MIN_BYTES = 16;
  static final int MAX_BYTES = 4096;

  private final byte[] key;
  private final String id;

  private LogKey(byte[] key) {
    this.key = key;
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("kiln burn log key id".getBytes(StandardCharsets.US_ASCII));
      this.id = HexFormat.of().formatHex(sha.digest(key)).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JRE has SHA-256", e);
    }
  }

  /** Reads a key file. */
  public static LogKey read(Path file) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    }
    if (bytes.length < MIN_BYTES || bytes.length > MAX_BYTES) {
      throw new IOException(
          file + ": a burn-log key file holds " + MIN_BYTES + " to " + MAX_BYTES + " bytes");
    }
    return new LogKey(bytes);
  }

  /** The key's public id. */
  public String id() {
    return id;
  }

  /** Lower-case hex HMAC-SHA256 of {@code data}. */
  String mac(byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(data));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every JRE has HmacSHA256", e);
    }
  }
}
