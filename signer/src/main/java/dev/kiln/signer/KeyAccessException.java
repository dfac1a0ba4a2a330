package dev.kiln.signer;

/**
 * A key could not be used: the key file is unreadable or malformed, a PIN or passphrase is wrong,
 * an HSM token or object is missing or ambiguous, or KMS refused the request. The CLI maps it to
 * exit code 4.
 *
 * <p>Messages name the key reference (as {@link KeyReference#toString()} renders it, which never
 * includes a PIN or secret) and say what failed. They never contain key material, PINs or
 * passphrases.
 */
public class KeyAccessException extends Exception {
  private static final long serialVersionUID = 1L;

  public KeyAccessException(String message) {
    super(message);
  }

  public KeyAccessException(String message, Throwable cause) {
    super(message, cause);
  }
}
