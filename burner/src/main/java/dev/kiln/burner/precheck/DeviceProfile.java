package dev.kiln.burner.precheck;

import dev.kiln.inspector.section.FwVersion;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a device will check an image against: the "target profile". {@code kiln query --json}
 * prints it (see docs/burner.md for the JSON), {@code kiln check --target} reads it back, and the
 * burner builds one from a live device before every burn.
 *
 * @param deviceName e.g. {@code ConnectX-6 Dx} (display only)
 * @param hwDeviceId the HW device id (MGIR hw_dev_id), e.g. 0x212; the image must list it
 * @param psid the device's PSID; the image must carry the same one
 * @param runningVersion the version the device runs now
 * @param pendingVersion the version activated but waiting for a reset, if any
 * @param securityVersion the device's eFuse security version; images below it are refused
 * @param secured MGIR secured: the device accepts only secure-FW images through MCC
 * @param trustedKeys the keys the running image trusts; {@code trustedKeysKnown} says whether the
 *     list could be obtained at all
 * @param trustedKeysKnown false when the device did not say which keys it trusts (the signature
 *     check is then skipped with a warning)
 * @param forbiddenVersions the versions the running image forbids
 * @param forbiddenVersionsKnown false when the device did not say
 */
public record DeviceProfile(
    String deviceName,
    int hwDeviceId,
    String psid,
    FwVersion runningVersion,
    Optional<FwVersion> pendingVersion,
    int securityVersion,
    boolean secured,
    List<TrustedKey> trustedKeys,
    boolean trustedKeysKnown,
    List<FwVersion> forbiddenVersions,
    boolean forbiddenVersionsKnown) {

  public DeviceProfile {
    Objects.requireNonNull(psid, "psid");
    Objects.requireNonNull(runningVersion, "runningVersion");
    Objects.requireNonNull(pendingVersion, "pendingVersion");
    deviceName = deviceName == null ? "" : deviceName;
    trustedKeys = List.copyOf(trustedKeys);
    forbiddenVersions = List.copyOf(forbiddenVersions);
  }

  /** The version on flash: the pending one if there is one, else the running one (as flint). */
  public FwVersion flashVersion() {
    return pendingVersion.orElse(runningVersion);
  }
}
