package dev.kiln.pipeline.gate;

/** Stable finding codes of the CI gate (docs/pipeline.md has the table). */
public final class GateCodes {
  public static final String UNREADABLE_IMAGE = "GATE_UNREADABLE_IMAGE";
  public static final String STRUCTURE_INVALID = "GATE_STRUCTURE_INVALID";
  public static final String UNSIGNED = "GATE_UNSIGNED";
  public static final String UNTRUSTED_KEY = "GATE_UNTRUSTED_KEY";
  public static final String SIGNATURE_INVALID = "GATE_SIGNATURE_INVALID";
  public static final String MISSING_SIGNATURE = "GATE_MISSING_SIGNATURE";
  public static final String PSID_NOT_ALLOWED = "GATE_PSID_NOT_ALLOWED";
  public static final String DEVICE_NOT_ALLOWED = "GATE_DEVICE_NOT_ALLOWED";
  public static final String NOT_SECURE_FW = "GATE_NOT_SECURE_FW";
  public static final String FORBIDDEN_VERSION = "GATE_FORBIDDEN_VERSION";
  public static final String SECURITY_VERSION_TOO_LOW = "GATE_SECURITY_VERSION_TOO_LOW";
  /** The image's PUBLIC_KEYS hold no key, or not its signer: a device running it is locked out. */
  public static final String KEY_LOCKOUT = "GATE_KEY_LOCKOUT";
  /**
   * A package given to the gate (kiln bundle, MFA2, DSP0267) whose signature does not verify with
   * the policy's packageKeys (or the policy names none): its images are not gated.
   */
  public static final String PACKAGE_UNVERIFIED = "GATE_PACKAGE_UNVERIFIED";

  private GateCodes() {}
}
