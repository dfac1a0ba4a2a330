package dev.kiln.emulator;

import dev.kiln.inspector.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The daemon's access token: 32 random bytes, written as 64 lower-case hex digits and a newline to
 * {@link WireProtocol#TOKEN_FILE} in the device directory, readable and writable by the daemon's
 * owner only (mode 0600 from creation on: the file is created with that mode under a temporary
 * name and renamed into place, so no other user can open it in between). A new token is made at
 * every start, so a client of an earlier daemon run must read the file again.
 *
 * <p>Who can read the file can use the device: the file's permissions are the access control.
 */
public final class DaemonToken {
  /** Random bytes in a token. */
  static final int BYTES = 32;

  private final byte[] text;

  private DaemonToken(byte[] text) {
    this.text = text;
  }

  /** Makes a fresh token and writes it to {@code directory}/{@value WireProtocol#TOKEN_FILE}. */
  public static DaemonToken create(Path directory) throws IOException {
    byte[] random = new byte[BYTES];
    new SecureRandom().nextBytes(random);
    byte[] text = HexFormat.of().formatHex(random).getBytes(StandardCharsets.US_ASCII);
    byte[] line = Arrays.copyOf(text, text.length + 1);
    line[text.length] = '\n';
    // Secret material: owner-only from creation on, so nobody can open it in between.
    AtomicFiles.writeSecret(directory.resolve(WireProtocol.TOKEN_FILE), line);
    return new DaemonToken(text);
  }

  /**
   * Reads a token file as a client does: at most 256 bytes, surrounding white space ignored.
   *
   * @throws IOException when the file cannot be read (e.g. another user's daemon)
   */
  public static byte[] read(Path file) throws IOException {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(file + ": no daemon token file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(WireProtocol.MAX_AUTH_FRAME);
      return new String(bytes, StandardCharsets.US_ASCII).trim().getBytes(StandardCharsets.US_ASCII);
    }
  }

  /** The token as clients present it (ASCII hex). */
  public byte[] text() {
    return text.clone();
  }

  /** Whether {@code presented} is this token, compared in constant time. */
  boolean matches(byte[] presented) {
    return MessageDigest.isEqual(text, presented);
  }
}
