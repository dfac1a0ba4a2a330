package dev.kiln.signer.pkcs11;

import dev.kiln.signer.DigestAlgorithm;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.KeyReference;
import dev.kiln.signer.SecretSource;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.pkcs11.internal.Ck;
import dev.kiln.signer.pkcs11.internal.Pkcs11Module;
import dev.kiln.signer.pkcs11.internal.Pkcs11Module.CkException;
import dev.kiln.signer.pkcs11.internal.Pkcs11Module.TokenInfo;
import dev.kiln.signer.pkcs11.internal.Structs;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A private key on a PKCS#11 token ({@code pkcs11:} references), used through Cryptoki directly
 * (JNA), so keys need no certificate object and the token is chosen by its exact label.
 *
 * <p>Opening: load and initialise the module; among the slots with a token, keep those whose label,
 * serial, manufacturer, model and slot id equal the reference's (absent attributes match anything;
 * labels are compared without their blank padding, never by prefix); exactly one must remain. Open
 * a session, log in as the user with the PIN from {@code pin-source} when the token requires it,
 * then find private keys by CKA_CLASS and exact CKA_LABEL and/or CKA_ID: exactly one must match.
 * The public key is read from the private key's CKA_MODULUS and CKA_PUBLIC_EXPONENT, or else from
 * the public key object with the same CKA_ID.
 *
 * <p>Signing: {@code C_SignInit(CKM_RSA_PKCS)} then {@code C_Sign} over the DigestInfo, with a
 * context-specific login in between when the key has CKA_ALWAYS_AUTHENTICATE.
 */
public final class Pkcs11SigningService implements SigningService {
  /** Private keys listed in an error message at most; more are summarised as a count. */
  private static final int MAX_LISTED = 20;

  private final KeyReference.Pkcs11Key reference;
  private final Pkcs11Module module;
  private final long session;
  private final long key;
  private final RSAPublicKey publicKey;
  private final boolean alwaysAuthenticate;
  private boolean closed;

  private Pkcs11SigningService(
      KeyReference.Pkcs11Key reference,
      Pkcs11Module module,
      long session,
      long key,
      RSAPublicKey publicKey,
      boolean alwaysAuthenticate) {
    this.reference = reference;
    this.module = module;
    this.session = session;
    this.key = key;
    this.publicKey = publicKey;
    this.alwaysAuthenticate = alwaysAuthenticate;
  }

  /**
   * Finds the token and key and logs in.
   *
   * @throws KeyAccessException if the module is missing, no or several tokens or keys match, the
   *     PIN is missing or wrong, or the key is not an RSA key of the required size
   */
  public static Pkcs11SigningService open(KeyReference.Pkcs11Key reference, KeyOptions options)
      throws KeyAccessException {
    if (!Files.isRegularFile(reference.modulePath())) {
      throw new KeyAccessException(
          reference + ": PKCS#11 module " + reference.modulePath() + " does not exist");
    }
    Pkcs11Module module;
    try {
      module = Pkcs11Module.acquire(reference.modulePath());
    } catch (UnsatisfiedLinkError e) {
      throw new KeyAccessException(
          reference
              + ": cannot load PKCS#11 module "
              + reference.modulePath()
              + " ("
              + e.getMessage()
              + ")");
    } catch (CkException e) {
      throw new KeyAccessException(reference + ": " + e.getMessage(), e);
    }
    long session = -1;
    try {
      TokenInfo token = findToken(reference, module);
      session = module.openSession(token.slotId());
      if ((token.flags() & Ck.CKF_LOGIN_REQUIRED) != 0) {
        SecretSource pin = reference.pinSource();
        if (pin == null && options.askOnTerminal()) {
          pin = SecretSource.terminal("PIN for " + reference);
        }
        login(reference, pin, module, session, Ck.CKU_USER);
      }
      long key = findPrivateKey(reference, module, session, token);
      byte[][] attributes =
          module.attributes(
              session,
              key,
              Ck.CKA_KEY_TYPE,
              Ck.CKA_MODULUS,
              Ck.CKA_PUBLIC_EXPONENT,
              Ck.CKA_ALWAYS_AUTHENTICATE,
              Ck.CKA_ID);
      if (attributes[0] == null || Structs.ulong(attributes[0]) != Ck.CKK_RSA) {
        throw new KeyAccessException(reference + ": the key is not an RSA key");
      }
      RSAPublicKey publicKey = publicKey(reference, module, session, attributes);
      int bits = publicKey.getModulus().bitLength();
      if (options.requiredKeyBits() != 0 && bits != options.requiredKeyBits()) {
        throw new KeyAccessException(
            reference
                + ": the key is RSA-"
                + bits
                + " but RSA-"
                + options.requiredKeyBits()
                + " is required");
      }
      boolean alwaysAuthenticate =
          attributes[3] != null && attributes[3].length == 1 && attributes[3][0] != 0;
      if (alwaysAuthenticate && reference.pinSource() == null) {
        throw new KeyAccessException(
            reference
                + ": the key needs a PIN for every signature (CKA_ALWAYS_AUTHENTICATE);"
                + " add pin-source=file:PATH or pin-source=env:VAR");
      }
      return new Pkcs11SigningService(
          reference, module, session, key, publicKey, alwaysAuthenticate);
    } catch (CkException e) {
      closeQuietly(module, session);
      throw new KeyAccessException(reference + ": " + e.getMessage(), e);
    } catch (KeyAccessException | RuntimeException e) {
      closeQuietly(module, session);
      throw e;
    }
  }

  static void closeQuietly(Pkcs11Module module, long session) {
    if (session != -1) {
      module.closeSession(session);
    }
    module.release();
  }

  static TokenInfo findToken(KeyReference.Pkcs11Key reference, Pkcs11Module module)
      throws CkException, KeyAccessException {
    List<TokenInfo> tokens = new ArrayList<>();
    for (long slot : module.slotsWithTokens()) {
      try {
        tokens.add(module.tokenInfo(slot));
      } catch (CkException e) {
        // A slot whose token cannot be described (e.g. CKR_TOKEN_NOT_RECOGNIZED) cannot be the
        // one asked for; skip it rather than fail the whole lookup.
      }
    }
    List<TokenInfo> matches =
        tokens.stream().filter(token -> tokenMatches(reference, token)).toList();
    if (matches.size() == 1) {
      return matches.get(0);
    }
    if (matches.isEmpty()) {
      throw new KeyAccessException(
          reference
              + ": no such token; tokens present: "
              + (tokens.isEmpty() ? "none" : describeTokens(tokens))
              + softHsmHint(reference));
    }
    throw new KeyAccessException(
        reference
            + ": ambiguous, "
            + matches.size()
            + " tokens match: "
            + describeTokens(matches)
            + " (add serial= or slot-id=)");
  }

  private static boolean tokenMatches(KeyReference.Pkcs11Key reference, TokenInfo token) {
    return (reference.tokenLabel() == null || reference.tokenLabel().equals(token.label()))
        && (reference.tokenSerial() == null || reference.tokenSerial().equals(token.serial()))
        && (reference.tokenManufacturer() == null
            || reference.tokenManufacturer().equals(token.manufacturer()))
        && (reference.tokenModel() == null || reference.tokenModel().equals(token.model()))
        && (reference.slotId() == null || reference.slotId() == token.slotId());
  }

  private static String describeTokens(List<TokenInfo> tokens) {
    return tokens.stream()
        .map(
            t ->
                (t.flags() & Ck.CKF_TOKEN_INITIALIZED) == 0
                    ? "an uninitialized token (slot-id " + t.slotId() + ")"
                    : "'" + t.label() + "' (serial " + t.serial() + ", slot-id " + t.slotId() + ")")
        .collect(Collectors.joining(", "));
  }

  /** SoftHSM2 finds its tokens through SOFTHSM2_CONF; an unset variable is the usual mistake. */
  private static String softHsmHint(KeyReference.Pkcs11Key reference) {
    if (!reference.modulePath().getFileName().toString().contains("softhsm")) {
      return "";
    }
    String conf = System.getenv("SOFTHSM2_CONF");
    return conf == null
        ? " (SOFTHSM2_CONF is not set, so SoftHSM2 reads /etc/softhsm/softhsm2.conf)"
        : " (SoftHSM2 reads " + conf + ")";
  }

  static void login(
      KeyReference.Pkcs11Key reference, Pkcs11Module module, long session, long userType)
      throws KeyAccessException {
    login(reference, reference.pinSource(), module, session, userType);
  }

  /** Logs in with the PIN from {@code pinSource} (the reference's, or the terminal). */
  static void login(
      KeyReference.Pkcs11Key reference,
      SecretSource pinSource,
      Pkcs11Module module,
      long session,
      long userType)
      throws KeyAccessException {
    if (pinSource == null) {
      throw new KeyAccessException(
          reference + ": the token requires a PIN; add pin-source=file:PATH or pin-source=env:VAR"
              + " (or run on a terminal to be asked)");
    }
    byte[] pin = pinSource.readBytes();
    try {
      module.login(session, userType, pin);
    } catch (CkException e) {
      if (e.rv() == Ck.CKR_PIN_INCORRECT) {
        // Stop at the first failure: real tokens lock after a few wrong PINs.
        throw new KeyAccessException(reference + ": wrong PIN (from " + pinSource + ")", e);
      }
      if (e.rv() == Ck.CKR_PIN_LOCKED) {
        throw new KeyAccessException(reference + ": the token's user PIN is locked", e);
      }
      throw new KeyAccessException(reference + ": login failed: " + e.getMessage(), e);
    } finally {
      Arrays.fill(pin, (byte) 0);
    }
  }

  /**
   * The search template of the object {@code reference} names: its class, and its label and id
   * where the reference gives them (RFC 7512 {@code object=}, {@code id=}).
   */
  static Structs.Template objectTemplate(KeyReference.Pkcs11Key reference, long objectClass) {
    List<Long> types = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    types.add(Ck.CKA_CLASS);
    values.add(Structs.ulong(objectClass));
    if (reference.objectLabel() != null) {
      types.add(Ck.CKA_LABEL);
      values.add(reference.objectLabel().getBytes(StandardCharsets.UTF_8));
    }
    if (reference.idHex() != null) {
      types.add(Ck.CKA_ID);
      values.add(reference.id());
    }
    return new Structs.Template(
        types.stream().mapToLong(Long::longValue).toArray(), values.toArray(new byte[0][]));
  }

  private static long findPrivateKey(
      KeyReference.Pkcs11Key reference, Pkcs11Module module, long session, TokenInfo token)
      throws CkException, KeyAccessException {
    Structs.Template template = objectTemplate(reference, Ck.CKO_PRIVATE_KEY);
    List<Long> keys =
        module.findObjects(session, template, template.count(), MAX_LISTED + 1);
    if (keys.size() == 1) {
      return keys.get(0);
    }
    if (keys.isEmpty()) {
      Structs.Template all =
          new Structs.Template(
              new long[] {Ck.CKA_CLASS}, new byte[][] {Structs.ulong(Ck.CKO_PRIVATE_KEY)});
      List<Long> present = module.findObjects(session, all, 1, MAX_LISTED + 1);
      throw new KeyAccessException(
          reference
              + ": no such private key on token '"
              + token.label()
              + "'; private keys"
              + " present: "
              + describeKeys(module, session, present));
    }
    throw new KeyAccessException(
        reference
            + ": ambiguous, several private keys match on token '"
            + token.label()
            + "': "
            + describeKeys(module, session, keys)
            + " (add object= or id=)");
  }

  private static String describeKeys(Pkcs11Module module, long session, List<Long> keys)
      throws CkException {
    if (keys.isEmpty()) {
      return "none";
    }
    List<String> described = new ArrayList<>();
    for (long handle : keys.subList(0, Math.min(keys.size(), MAX_LISTED))) {
      byte[][] attributes = module.attributes(session, handle, Ck.CKA_LABEL, Ck.CKA_ID);
      String label =
          attributes[0] == null ? "(no label)" : new String(attributes[0], StandardCharsets.UTF_8);
      String id = attributes[1] == null ? "" : HexFormat.of().formatHex(attributes[1]);
      described.add("object=" + label + ";id=" + id);
    }
    return String.join(", ", described) + (keys.size() > MAX_LISTED ? ", ..." : "");
  }

  private static RSAPublicKey publicKey(
      KeyReference.Pkcs11Key reference, Pkcs11Module module, long session, byte[][] attributes)
      throws CkException, KeyAccessException {
    byte[] modulus = attributes[1];
    byte[] exponent = attributes[2];
    if ((modulus == null || exponent == null) && attributes[4] != null) {
      // Some tokens keep only the modulus on the private key; the public key object with the
      // same CKA_ID has both halves.
      Structs.Template template =
          new Structs.Template(
              new long[] {Ck.CKA_CLASS, Ck.CKA_ID},
              new byte[][] {Structs.ulong(Ck.CKO_PUBLIC_KEY), attributes[4]});
      List<Long> publicKeys = module.findObjects(session, template, 2, 2);
      if (publicKeys.size() == 1) {
        byte[][] pub =
            module.attributes(session, publicKeys.get(0), Ck.CKA_MODULUS, Ck.CKA_PUBLIC_EXPONENT);
        modulus = pub[0];
        exponent = pub[1];
      }
    }
    if (modulus == null || exponent == null) {
      throw new KeyAccessException(
          reference
              + ": cannot read the public key (no CKA_MODULUS/CKA_PUBLIC_EXPONENT on the"
              + " private key and no single public key object with its CKA_ID)");
    }
    try {
      return (RSAPublicKey)
          KeyFactory.getInstance("RSA")
              .generatePublic(
                  new RSAPublicKeySpec(new BigInteger(1, modulus), new BigInteger(1, exponent)));
    } catch (GeneralSecurityException e) {
      throw new KeyAccessException(reference + ": the token's public key is invalid", e);
    }
  }

  @Override
  public String describe() {
    return reference.toString();
  }

  @Override
  public String backend() {
    return reference.backend();
  }

  @Override
  public RSAPublicKey publicKey() {
    return publicKey;
  }

  @Override
  public synchronized byte[] signDigest(DigestAlgorithm algorithm, byte[] digest)
      throws KeyAccessException {
    byte[] digestInfo = algorithm.digestInfo(digest);
    if (closed) {
      throw new IllegalStateException(reference + ": the signing service is closed");
    }
    int length = (publicKey.getModulus().bitLength() + 7) / 8;
    byte[] pin = alwaysAuthenticate ? reference.pinSource().readBytes() : null;
    try {
      return module.signRsaPkcs(session, key, digestInfo, length, pin);
    } catch (CkException e) {
      if (e.rv() == Ck.CKR_PIN_INCORRECT) {
        throw new KeyAccessException(
            reference
                + ": wrong PIN for the key's per-signature login (from "
                + reference.pinSource()
                + ")",
            e);
      }
      throw new KeyAccessException(reference + ": signing failed: " + e.getMessage(), e);
    } finally {
      if (pin != null) {
        Arrays.fill(pin, (byte) 0);
      }
    }
  }

  @Override
  public Optional<String> lastRequestId() {
    return Optional.empty();
  }

  /** Whether the key demands a fresh login for every signature (CKA_ALWAYS_AUTHENTICATE). */
  public boolean alwaysAuthenticate() {
    return alwaysAuthenticate;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // Closing the session is enough: the login ends with the application's last session, and
    // logging out here would log out other open services on the same token.
    module.closeSession(session);
    module.release();
  }
}
