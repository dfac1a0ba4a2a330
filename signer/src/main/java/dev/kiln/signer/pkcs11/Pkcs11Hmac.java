package dev.kiln.signer.pkcs11;

import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyReference;
import dev.kiln.signer.pkcs11.internal.Ck;
import dev.kiln.signer.pkcs11.internal.Pkcs11Module;
import dev.kiln.signer.pkcs11.internal.Pkcs11Module.CkException;
import dev.kiln.signer.pkcs11.internal.Pkcs11Module.TokenInfo;
import dev.kiln.signer.pkcs11.internal.Structs;
import java.nio.file.Files;
import java.util.List;

/**
 * HMAC-SHA256 with a secret-key object on a PKCS#11 token (CKO_SECRET_KEY, e.g. a generic secret
 * made with {@code pkcs11-tool --keygen --key-type GENERIC:32}), through the same module loading,
 * token lookup and PIN handling as {@link Pkcs11SigningService}: {@code C_SignInit(CKM_SHA256_HMAC)}
 * then {@code C_Sign}. The key never leaves the token. Used to key the burn log.
 */
public final class Pkcs11Hmac implements AutoCloseable {
  private final KeyReference.Pkcs11Key reference;
  private final Pkcs11Module module;
  private final long session;
  private final long key;
  private boolean closed;

  private Pkcs11Hmac(
      KeyReference.Pkcs11Key reference, Pkcs11Module module, long session, long key) {
    this.reference = reference;
    this.module = module;
    this.session = session;
    this.key = key;
  }

  /** Opens the token and finds the secret key {@code reference} names. */
  public static Pkcs11Hmac open(KeyReference.Pkcs11Key reference) throws KeyAccessException {
    if (!Files.isRegularFile(reference.modulePath())) {
      throw new KeyAccessException(
          reference + ": PKCS#11 module " + reference.modulePath() + " does not exist");
    }
    Pkcs11Module module;
    try {
      module = Pkcs11Module.acquire(reference.modulePath());
    } catch (UnsatisfiedLinkError e) {
      throw new KeyAccessException(
          reference + ": cannot load PKCS#11 module " + reference.modulePath() + " ("
              + e.getMessage() + ")");
    } catch (CkException e) {
      throw new KeyAccessException(reference + ": " + e.getMessage(), e);
    }
    long session = -1;
    try {
      TokenInfo token = Pkcs11SigningService.findToken(reference, module);
      session = module.openSession(token.slotId());
      if ((token.flags() & Ck.CKF_LOGIN_REQUIRED) != 0) {
        Pkcs11SigningService.login(reference, module, session, Ck.CKU_USER);
      }
      Structs.Template template =
          Pkcs11SigningService.objectTemplate(reference, Ck.CKO_SECRET_KEY);
      List<Long> keys = module.findObjects(session, template, template.count(), 2);
      if (keys.size() != 1) {
        throw new KeyAccessException(
            reference + ": " + (keys.isEmpty() ? "no such secret key" : "several secret keys match")
                + " on token '" + token.label() + "'");
      }
      return new Pkcs11Hmac(reference, module, session, keys.get(0));
    } catch (CkException e) {
      Pkcs11SigningService.closeQuietly(module, session);
      throw new KeyAccessException(reference + ": " + e.getMessage(), e);
    } catch (KeyAccessException | RuntimeException e) {
      Pkcs11SigningService.closeQuietly(module, session);
      throw e;
    }
  }

  /** HMAC-SHA256 of {@code data}. */
  public synchronized byte[] mac(byte[] data) throws KeyAccessException {
    if (closed) {
      throw new KeyAccessException(reference + ": the session is closed");
    }
    try {
      return module.hmacSha256(session, key, data);
    } catch (CkException e) {
      throw new KeyAccessException(reference + ": HMAC failed: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      Pkcs11SigningService.closeQuietly(module, session);
    }
  }
}
