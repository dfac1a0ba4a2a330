package dev.kiln.burner.precheck;

/**
 * Stable codes of pre-validation findings. Scripts and CI gates match on the names, so a code never
 * changes meaning; new reasons get new codes. Each code names the MCC error a device would return
 * for the same reason (protocol doc §2.9), where there is one.
 */
public enum PrecheckCode {
  /**
   * The image fails {@code kiln verify}'s structural verification (e.g. DTOC_HEADER of a truncated
   * file). Host rule: a device may accept such an image and then run it.
   */
  STRUCTURE_INVALID(Severity.ERROR),
  /** The image carries no signature section; a secure device refuses unsigned updates (0x06). */
  UNSIGNED(Severity.ERROR),
  /** The image is not secure firmware or does not support the controlled update path (0x0A). */
  NOT_SECURE_FW(Severity.ERROR),
  /** The image's PSID differs from the device's (0x03). */
  PSID_MISMATCH(Severity.ERROR),
  /** The image does not list the device's HW device id (0x03). */
  DEVICE_MISMATCH(Severity.ERROR),
  /**
   * The image is not of the device's format: ConnectX-4 / 4 Lx run FS3 images, later adapters FS4
   * (0x08, the device cannot parse it).
   */
  FORMAT_MISMATCH(Severity.ERROR),
  /** No signature is made by a key the device trusts (0x04). */
  UNTRUSTED_KEY(Severity.ERROR),
  /** A signature by a trusted key does not verify (0x05). */
  BAD_SIGNATURE(Severity.ERROR),
  /** The image's version is in the device's forbidden-versions list or a feed (0x0F). */
  FORBIDDEN_VERSION(Severity.ERROR),
  /** The image's security version is below the device's eFuse security version (0x19). */
  SECURITY_VERSION_ROLLBACK(Severity.ERROR),
  /**
   * Host rule: the image's PUBLIC_KEYS sections hold no key, so once it runs the device trusts no
   * fw-update key and refuses every later update. An error unless the key lock-out override is
   * given (then a warning with the same code).
   */
  KEY_LOCKOUT_NO_KEYS(Severity.ERROR),
  /**
   * Host rule: the key that signed the image is not among the image's own PUBLIC_KEYS (by UUID,
   * and by key where the signature can be checked), so the next image signed the same way would
   * be refused. An error unless the key lock-out override is given.
   */
  KEY_LOCKOUT_SIGNER_NOT_TRUSTED(Severity.ERROR),
  /** The image has the version already on flash; refused unless forced. */
  SAME_VERSION(Severity.ERROR),
  /** The image is older than the version on flash; refused unless forced. */
  DOWNGRADE(Severity.ERROR),
  /** The device is waiting for a reset to run a pending image; a new update is blocked (0x09). */
  PENDING_RESET(Severity.ERROR),
  /** The profile does not say which keys the device trusts; the signature was not checked. */
  TRUSTED_KEYS_UNKNOWN(Severity.WARNING),
  /** The profile does not say which versions the device forbids. */
  FORBIDDEN_VERSIONS_UNKNOWN(Severity.WARNING),
  /** A forced burn of the same or an older version. */
  FORCED(Severity.WARNING);

  /** How bad a finding is: an ERROR means the device would refuse the image. */
  public enum Severity {
    ERROR,
    WARNING
  }

  private final Severity defaultSeverity;

  PrecheckCode(Severity defaultSeverity) {
    this.defaultSeverity = defaultSeverity;
  }

  public Severity defaultSeverity() {
    return defaultSeverity;
  }
}
