package dev.kiln.signer.pkcs11.internal;

import java.util.Map;

/** The PKCS#11 constants Kiln uses (values from the v2.40 headers, pkcs11t.h). */
public final class Ck {
  private Ck() {}

  // Return values.
  public static final long CKR_OK = 0x0;
  public static final long CKR_GENERAL_ERROR = 0x5;
  public static final long CKR_CANT_LOCK = 0xA;
  public static final long CKR_ATTRIBUTE_SENSITIVE = 0x11;
  public static final long CKR_ATTRIBUTE_TYPE_INVALID = 0x12;
  public static final long CKR_USER_ALREADY_LOGGED_IN = 0x100;
  public static final long CKR_PIN_INCORRECT = 0xA0;
  public static final long CKR_PIN_LOCKED = 0xA4;
  public static final long CKR_CRYPTOKI_ALREADY_INITIALIZED = 0x191;

  /** Human names of the return values users are most likely to meet. */
  private static final Map<Long, String> NAMES =
      Map.ofEntries(
          Map.entry(0x0L, "CKR_OK"),
          Map.entry(0x2L, "CKR_HOST_MEMORY"),
          Map.entry(0x3L, "CKR_SLOT_ID_INVALID"),
          Map.entry(0x5L, "CKR_GENERAL_ERROR"),
          Map.entry(0x6L, "CKR_FUNCTION_FAILED"),
          Map.entry(0x7L, "CKR_ARGUMENTS_BAD"),
          Map.entry(0xAL, "CKR_CANT_LOCK"),
          Map.entry(0x11L, "CKR_ATTRIBUTE_SENSITIVE"),
          Map.entry(0x12L, "CKR_ATTRIBUTE_TYPE_INVALID"),
          Map.entry(0x21L, "CKR_DATA_LEN_RANGE"),
          Map.entry(0x30L, "CKR_DEVICE_ERROR"),
          Map.entry(0x31L, "CKR_DEVICE_MEMORY"),
          Map.entry(0x32L, "CKR_DEVICE_REMOVED"),
          Map.entry(0x60L, "CKR_KEY_HANDLE_INVALID"),
          Map.entry(0x63L, "CKR_KEY_TYPE_INCONSISTENT"),
          Map.entry(0x68L, "CKR_KEY_FUNCTION_NOT_PERMITTED"),
          Map.entry(0x70L, "CKR_MECHANISM_INVALID"),
          Map.entry(0x82L, "CKR_OBJECT_HANDLE_INVALID"),
          Map.entry(0x91L, "CKR_OPERATION_NOT_INITIALIZED"),
          Map.entry(0xA0L, "CKR_PIN_INCORRECT"),
          Map.entry(0xA2L, "CKR_PIN_LEN_RANGE"),
          Map.entry(0xA3L, "CKR_PIN_EXPIRED"),
          Map.entry(0xA4L, "CKR_PIN_LOCKED"),
          Map.entry(0xB3L, "CKR_SESSION_HANDLE_INVALID"),
          Map.entry(0xB4L, "CKR_SESSION_PARALLEL_NOT_SUPPORTED"),
          Map.entry(0xE0L, "CKR_TOKEN_NOT_PRESENT"),
          Map.entry(0xE1L, "CKR_TOKEN_NOT_RECOGNIZED"),
          Map.entry(0x100L, "CKR_USER_ALREADY_LOGGED_IN"),
          Map.entry(0x101L, "CKR_USER_NOT_LOGGED_IN"),
          Map.entry(0x103L, "CKR_USER_TYPE_INVALID"),
          Map.entry(0x150L, "CKR_BUFFER_TOO_SMALL"),
          Map.entry(0x190L, "CKR_CRYPTOKI_NOT_INITIALIZED"),
          Map.entry(0x191L, "CKR_CRYPTOKI_ALREADY_INITIALIZED"));

  /** The symbolic name of a return value, e.g. {@code CKR_PIN_INCORRECT (0xa0)}. */
  public static String rvName(long rv) {
    String name = NAMES.get(rv);
    return (name == null ? "CKR" : name) + " (0x" + Long.toHexString(rv) + ")";
  }

  // Flags.
  public static final long CKF_OS_LOCKING_OK = 0x2;
  public static final long CKF_SERIAL_SESSION = 0x4;
  public static final long CKF_LOGIN_REQUIRED = 0x4;
  public static final long CKF_TOKEN_INITIALIZED = 0x400;

  // User types.
  public static final long CKU_USER = 1;
  public static final long CKU_CONTEXT_SPECIFIC = 2;

  // Object classes and key types.
  public static final long CKO_PUBLIC_KEY = 2;
  public static final long CKO_PRIVATE_KEY = 3;
  public static final long CKO_SECRET_KEY = 4;
  public static final long CKK_RSA = 0;

  // Attributes.
  public static final long CKA_CLASS = 0x0;
  public static final long CKA_LABEL = 0x3;
  public static final long CKA_KEY_TYPE = 0x100;
  public static final long CKA_ID = 0x102;
  public static final long CKA_SIGN = 0x108;
  public static final long CKA_MODULUS = 0x120;
  public static final long CKA_PUBLIC_EXPONENT = 0x122;
  public static final long CKA_ALWAYS_AUTHENTICATE = 0x202;

  /** {@code CK_UNAVAILABLE_INFORMATION}: all bits set in a CK_ULONG length. */
  public static final long CK_UNAVAILABLE_INFORMATION = -1L;

  // Mechanisms.
  /** Raw PKCS#1 v1.5 padding of caller-supplied data (here: a DigestInfo). */
  public static final long CKM_RSA_PKCS = 0x1;
  /** HMAC-SHA256 with a secret key (32-byte MAC). */
  public static final long CKM_SHA256_HMAC = 0x251;
}
