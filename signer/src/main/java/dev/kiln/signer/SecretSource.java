package dev.kiln.signer;

import dev.kiln.inspector.io.BoundedFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where a PIN or passphrase comes from: {@code env:VAR} (an environment variable) or {@code
 * file:PATH} (the whole file, one trailing line break removed). Secrets never come from the command
 * line or a key reference, because argv and URIs end up in process lists, shell history and CI
 * logs.
 *
 * <p>{@link #toString()} names the source ({@code env:KILN_PIN}), never the secret.
 */
public final class SecretSource {
  /** Largest PIN or passphrase file read; a PIN is a few bytes, a passphrase a line. */
  public static final long MAX_SECRET_BYTES = 4L << 10;

  private enum Kind {
    ENV,
    FILE,
    TERMINAL
  }

  private final Kind kind;
  private final String name;

  private SecretSource(Kind kind, String name) {
    this.kind = kind;
    this.name = name;
  }

  /**
   * Parses {@code env:VAR} or {@code file:PATH}.
   *
   * @throws IllegalArgumentException for any other form (a usage error)
   */
  public static SecretSource parse(String text) {
    Objects.requireNonNull(text, "text");
    if (text.startsWith("env:") && text.length() > 4) {
      return new SecretSource(Kind.ENV, text.substring(4));
    }
    if (text.startsWith("file:") && text.length() > 5) {
      return new SecretSource(Kind.FILE, text.substring(5));
    }
    throw new IllegalArgumentException(
        "a secret source must be env:VARIABLE or file:PATH (secrets never go on the command line)");
  }

  /** A source reading the environment variable {@code variable}. */
  public static SecretSource environment(String variable) {
    return parse("env:" + variable);
  }

  /**
   * A source asking on the controlling terminal, without echo ({@link java.io.Console
   * #readPassword}), when a command runs interactively and names no other source. {@code what}
   * completes the prompt ("PIN for pkcs11:...") and must hold no secret.
   */
  public static SecretSource terminal(String what) {
    return new SecretSource(Kind.TERMINAL, what);
  }

  /** True when a terminal is attached to the process, so {@link #terminal} can ask on it. */
  public static boolean terminalAttached() {
    return System.console() != null;
  }

  /** A source reading the file {@code path}. */
  public static SecretSource file(Path path) {
    return parse("file:" + path);
  }

  /**
   * Reads the secret as UTF-8 bytes. The caller should overwrite the array when done.
   *
   * @throws KeyAccessException if the variable is unset or the file cannot be read
   */
  public byte[] readBytes() throws KeyAccessException {
    byte[] raw;
    if (kind == Kind.TERMINAL) {
      return fromTerminal();
    }
    if (kind == Kind.ENV) {
      String value = System.getenv(name);
      if (value == null) {
        throw new KeyAccessException("secret source " + this + ": the variable is not set");
      }
      raw = value.getBytes(StandardCharsets.UTF_8);
    } else {
      try {
        raw = BoundedFiles.read(Path.of(name), MAX_SECRET_BYTES, "a PIN or passphrase file");
      } catch (BoundedFiles.UnreadableFileException e) {
        // The message names the file and why (size, type), never its content.
        throw new KeyAccessException(
            "secret source " + this + ": cannot read the file: " + e.getMessage());
      } catch (IOException | RuntimeException e) {
        throw new KeyAccessException(
            "secret source "
                + this
                + ": cannot read the file ("
                + e.getClass().getSimpleName()
                + ")");
      }
    }
    // Files written by editors or `echo` end with a line break that is not part of the secret.
    int length = raw.length;
    if (length > 0 && raw[length - 1] == '\n') {
      length--;
      if (length > 0 && raw[length - 1] == '\r') {
        length--;
      }
    }
    byte[] secret = Arrays.copyOf(raw, length);
    Arrays.fill(raw, (byte) 0);
    if (secret.length == 0) {
      throw new KeyAccessException("secret source " + this + ": the secret is empty");
    }
    return secret;
  }

  private byte[] fromTerminal() throws KeyAccessException {
    java.io.Console console = System.console();
    if (console == null) {
      throw new KeyAccessException(
          "no terminal to ask for the " + name + "; name a secret source (env:VAR or file:PATH)");
    }
    char[] typed = console.readPassword("%s: ", name);
    if (typed == null || typed.length == 0) {
      throw new KeyAccessException("no " + name + " was typed");
    }
    java.nio.ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(typed));
    byte[] secret = Arrays.copyOfRange(encoded.array(), encoded.position(), encoded.limit());
    Arrays.fill(typed, '\0');
    Arrays.fill(encoded.array(), (byte) 0);
    return secret;
  }

  /**
   * Reads the secret as characters. The caller should overwrite the array when done.
   *
   * @throws KeyAccessException if the source cannot be read or is not UTF-8
   */
  public char[] readChars() throws KeyAccessException {
    byte[] bytes = readBytes();
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes));
      char[] result = Arrays.copyOfRange(chars.array(), chars.position(), chars.limit());
      Arrays.fill(chars.array(), '\0');
      return result;
    } catch (CharacterCodingException e) {
      throw new KeyAccessException("secret source " + this + ": the secret is not UTF-8 text");
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SecretSource that && kind == that.kind && name.equals(that.name);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, name);
  }

  /** {@code env:NAME} or {@code file:PATH}: where the secret is, never the secret. */
  @Override
  public String toString() {
    return switch (kind) {
      case ENV -> "env:" + name;
      case FILE -> "file:" + name;
      case TERMINAL -> "the terminal";
    };
  }
}
