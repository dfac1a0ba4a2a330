package dev.kiln.signer.pkcs11.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.NativeLongByReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One loaded Cryptoki library, shared by every signing service of the JVM that uses it.
 *
 * <p>Cryptoki is initialised once per process: a second {@code C_Initialize} fails with {@code
 * CKR_CRYPTOKI_ALREADY_INITIALIZED}, and one {@code C_Finalize} tears down every session. So the
 * module is reference-counted: the first {@link #acquire} initialises, the last {@link #release}
 * finalises. If something else in the process (e.g. SunPKCS11) initialised the library first, we
 * use it and never finalise it.
 *
 * <p>Every call into the library goes through this object's monitor, so the module sees one thread
 * at a time even when it would allow more.
 */
public final class Pkcs11Module {
  private static final Map<Path, Pkcs11Module> LOADED = new HashMap<>();

  private final Path path;
  private final Cryptoki cryptoki;
  private int users;
  private boolean initializedByUs;

  private Pkcs11Module(Path path, Cryptoki cryptoki) {
    this.path = path;
    this.cryptoki = cryptoki;
  }

  /** A token as C_GetTokenInfo describes it, labels without their blank padding. */
  public record TokenInfo(
      long slotId, String label, String manufacturer, String model, String serial, long flags) {}

  /** Thrown for any CK_RV other than CKR_OK; carries the value for callers to map. */
  public static final class CkException extends Exception {
    private static final long serialVersionUID = 1L;
    private final long rv;

    public CkException(String function, long rv) {
      super(function + " failed: " + Ck.rvName(rv));
      this.rv = rv;
    }

    public long rv() {
      return rv;
    }
  }

  /**
   * Loads (once per JVM) and initialises (once per user count going from 0 to 1) the library.
   *
   * @throws UnsatisfiedLinkError if the library cannot be loaded
   * @throws CkException if C_Initialize fails
   */
  public static synchronized Pkcs11Module acquire(Path path) throws CkException {
    Path key = path.toAbsolutePath().normalize();
    Pkcs11Module module = LOADED.get(key);
    if (module == null) {
      module = new Pkcs11Module(key, Native.load(key.toString(), Cryptoki.class));
      LOADED.put(key, module);
    }
    synchronized (module) {
      if (module.users == 0) {
        long rv = module.cryptoki.C_Initialize(Structs.initializeArgs()).longValue();
        if (rv == Ck.CKR_CANT_LOCK) {
          // A module that cannot use OS locking: initialise it for single-threaded use instead;
          // every call is serialised on this object anyway.
          rv = module.cryptoki.C_Initialize(Pointer.NULL).longValue();
        }
        if (rv == Ck.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
          module.initializedByUs = false;
        } else if (rv == Ck.CKR_OK) {
          module.initializedByUs = true;
        } else {
          throw new CkException("C_Initialize", rv);
        }
      }
      module.users++;
    }
    return module;
  }

  /** Drops one user; the last one finalises the library if we initialised it. */
  public void release() {
    synchronized (Pkcs11Module.class) {
      synchronized (this) {
        if (users == 0) {
          return;
        }
        users--;
        if (users == 0 && initializedByUs) {
          cryptoki.C_Finalize(Pointer.NULL);
          initializedByUs = false;
        }
      }
    }
  }

  public Path path() {
    return path;
  }

  private static void check(String function, NativeLong rv) throws CkException {
    if (rv.longValue() != Ck.CKR_OK) {
      throw new CkException(function, rv.longValue());
    }
  }

  /** Slots that hold a token. */
  public synchronized List<Long> slotsWithTokens() throws CkException {
    NativeLongByReference count = new NativeLongByReference();
    check("C_GetSlotList", cryptoki.C_GetSlotList((byte) 1, Pointer.NULL, count));
    int n = count.getValue().intValue();
    List<Long> slots = new ArrayList<>(n);
    if (n == 0) {
      return slots;
    }
    Memory list = new Memory((long) n * Structs.LONG);
    check("C_GetSlotList", cryptoki.C_GetSlotList((byte) 1, list, count));
    for (int i = 0; i < count.getValue().intValue(); i++) {
      slots.add(list.getNativeLong((long) i * Structs.LONG).longValue());
    }
    return slots;
  }

  /** The token in {@code slotId}. */
  public synchronized TokenInfo tokenInfo(long slotId) throws CkException {
    Memory info = new Memory(Structs.TOKEN_INFO_SIZE);
    info.clear();
    check("C_GetTokenInfo", cryptoki.C_GetTokenInfo(new NativeLong(slotId), info));
    return new TokenInfo(
        slotId,
        blankPadded(info, Structs.TOKEN_LABEL_OFFSET, 32),
        blankPadded(info, Structs.TOKEN_MANUFACTURER_OFFSET, 32),
        blankPadded(info, Structs.TOKEN_MODEL_OFFSET, 16),
        blankPadded(info, Structs.TOKEN_SERIAL_OFFSET, 16),
        info.getNativeLong(Structs.TOKEN_FLAGS_OFFSET).longValue());
  }

  /** Cryptoki pads fixed-size text fields with blanks (0x20), not NULs. */
  private static String blankPadded(Memory memory, long offset, int size) {
    byte[] bytes = memory.getByteArray(offset, size);
    int end = size;
    while (end > 0 && (bytes[end - 1] == ' ' || bytes[end - 1] == 0)) {
      end--;
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }

  /** Opens a read-only serial session on {@code slotId}. */
  public synchronized long openSession(long slotId) throws CkException {
    NativeLongByReference session = new NativeLongByReference();
    check(
        "C_OpenSession",
        cryptoki.C_OpenSession(
            new NativeLong(slotId),
            new NativeLong(Ck.CKF_SERIAL_SESSION),
            Pointer.NULL,
            Pointer.NULL,
            session));
    return session.getValue().longValue();
  }

  public synchronized void closeSession(long session) {
    cryptoki.C_CloseSession(new NativeLong(session));
  }

  /**
   * Logs in as {@code userType}; an already logged-in user (another session of this process) is
   * fine. The caller wipes {@code pin}.
   */
  public synchronized void login(long session, long userType, byte[] pin) throws CkException {
    long rv =
        cryptoki.C_Login(
                new NativeLong(session), new NativeLong(userType), pin, new NativeLong(pin.length))
            .longValue();
    if (rv != Ck.CKR_OK && !(rv == Ck.CKR_USER_ALREADY_LOGGED_IN && userType == Ck.CKU_USER)) {
      throw new CkException("C_Login", rv);
    }
  }

  public synchronized void logout(long session) {
    cryptoki.C_Logout(new NativeLong(session));
  }

  /** Handles of the objects matching {@code template}, at most {@code max}. */
  public synchronized List<Long> findObjects(
      long session, Structs.Template template, int count, int max) throws CkException {
    NativeLong handle = new NativeLong(session);
    check(
        "C_FindObjectsInit",
        cryptoki.C_FindObjectsInit(handle, template.pointer(), new NativeLong(count)));
    List<Long> found = new ArrayList<>();
    try {
      Memory objects = new Memory((long) max * Structs.LONG);
      NativeLongByReference returned = new NativeLongByReference();
      check(
          "C_FindObjects", cryptoki.C_FindObjects(handle, objects, new NativeLong(max), returned));
      for (int i = 0; i < returned.getValue().intValue(); i++) {
        found.add(objects.getNativeLong((long) i * Structs.LONG).longValue());
      }
    } finally {
      cryptoki.C_FindObjectsFinal(handle);
    }
    return found;
  }

  /**
   * Reads attributes of an object. An attribute the object lacks or keeps secret comes back as
   * {@code null}; any other failure is thrown.
   */
  public synchronized byte[][] attributes(long session, long object, long... types)
      throws CkException {
    byte[][] result = new byte[types.length][];
    // Query one attribute at a time: with several, one missing attribute makes the whole call
    // return CKR_ATTRIBUTE_TYPE_INVALID and some modules then leave the other lengths unset.
    for (int i = 0; i < types.length; i++) {
      Structs.Template query = new Structs.Template(new long[] {types[i]});
      long rv =
          cryptoki.C_GetAttributeValue(
                  new NativeLong(session),
                  new NativeLong(object),
                  query.pointer(),
                  new NativeLong(1))
              .longValue();
      if (rv == Ck.CKR_ATTRIBUTE_TYPE_INVALID || rv == Ck.CKR_ATTRIBUTE_SENSITIVE) {
        continue;
      }
      if (rv != Ck.CKR_OK) {
        throw new CkException("C_GetAttributeValue", rv);
      }
      long length = query.length(0);
      if (length == Ck.CK_UNAVAILABLE_INFORMATION || length < 0 || length > 1 << 20) {
        continue;
      }
      query.allocate(0, (int) length);
      check(
          "C_GetAttributeValue",
          cryptoki.C_GetAttributeValue(
              new NativeLong(session), new NativeLong(object), query.pointer(), new NativeLong(1)));
      result[i] = query.value(0);
    }
    return result;
  }

  /**
   * Signs {@code data} with {@code CKM_RSA_PKCS}. When {@code contextPin} is not null the key has
   * CKA_ALWAYS_AUTHENTICATE and the user is logged in again for this one operation, between
   * C_SignInit and C_Sign as PKCS#11 v2.40 §5.2 requires.
   */
  public synchronized byte[] signRsaPkcs(
      long session, long key, byte[] data, int signatureLength, byte[] contextPin)
      throws CkException {
    NativeLong handle = new NativeLong(session);
    check(
        "C_SignInit",
        cryptoki.C_SignInit(handle, Structs.mechanism(Ck.CKM_RSA_PKCS), new NativeLong(key)));
    if (contextPin != null) {
      // If this login fails the sign operation stays active in the session; the caller reports
      // the failure and closes the service, which closes the session and ends the operation.
      login(session, Ck.CKU_CONTEXT_SPECIFIC, contextPin);
    }
    byte[] signature = new byte[signatureLength];
    NativeLongByReference length = new NativeLongByReference(new NativeLong(signatureLength));
    check("C_Sign", cryptoki.C_Sign(handle, data, new NativeLong(data.length), signature, length));
    int produced = length.getValue().intValue();
    if (produced == signatureLength) {
      return signature;
    }
    byte[] trimmed = new byte[produced];
    System.arraycopy(signature, 0, trimmed, 0, produced);
    return trimmed;
  }

  /** HMAC-SHA256 of {@code data} with the secret key {@code key} (C_SignInit, C_Sign). */
  public synchronized byte[] hmacSha256(long session, long key, byte[] data) throws CkException {
    NativeLong handle = new NativeLong(session);
    check(
        "C_SignInit",
        cryptoki.C_SignInit(handle, Structs.mechanism(Ck.CKM_SHA256_HMAC), new NativeLong(key)));
    byte[] mac = new byte[32];
    NativeLongByReference length = new NativeLongByReference(new NativeLong(mac.length));
    check("C_Sign", cryptoki.C_Sign(handle, data, new NativeLong(data.length), mac, length));
    if (length.getValue().intValue() != mac.length) {
      throw new CkException("C_Sign", Ck.CKR_GENERAL_ERROR);
    }
    return mac;
  }
}
