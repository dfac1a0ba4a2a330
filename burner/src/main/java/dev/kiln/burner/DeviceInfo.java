package dev.kiln.burner;

import dev.kiln.inspector.section.FwVersion;
import java.util.List;
import java.util.Optional;

/**
 * What {@code kiln query} shows about a device, as mstflint's query shows a secure device
 * (protocol doc §3): identity, versions, security attributes and the update method.
 *
 * @param device the device URI
 * @param deviceName e.g. {@code ConnectX-6 Dx}
 * @param pciDeviceId MGIR device_id
 * @param hwDeviceId MGIR hw_dev_id
 * @param hwRevision MGIR device_hw_revision
 * @param psid the PSID
 * @param runningVersion MCQI VERSION of the running BOOT_IMG
 * @param runningReleaseDate {@code dd.mm.yyyy} as flint prints it, or empty
 * @param productVersion the running version string (flint's "Product Version"), or empty
 * @param pendingVersion MCQI VERSION with read_pending, when an image waits for a reset
 * @param secured MGIR secured
 * @param signedFw MGIR signed_fw
 * @param debugFw MGIR debug
 * @param devFw MGIR dev
 * @param securityAttributes flint's "Security Attributes" text, e.g. {@code secure-fw, cs-token}
 * @param lifeCycle MGIR life cycle text
 * @param secureBoot MGIR sec_boot
 * @param encryption MGIR encryption
 * @param efuseSecurityVersion MFSV efuses_sec_ver, when the device has MFSV
 * @param imageSecurityVersion MFSV img_sec_ver, when the device has MFSV
 * @param updateMethod {@code fw_ctrl} (the MCC path) for every device kiln can talk to
 * @param baseMac MGIR manufacturing base MAC, 12 hex digits
 * @param uptimeSeconds MGIR uptime
 * @param hwAccessLocked MLOCK says host access is disabled by a key
 * @param components the MCQS components, e.g. {@code BOOT_IMG (IN_USE, ACTIVE_PENDING_RESET)}
 * @param modelName MQIS model name, or empty
 * @param description MQIS model description, or empty
 */
public record DeviceInfo(
    String device,
    String deviceName,
    int pciDeviceId,
    int hwDeviceId,
    int hwRevision,
    String psid,
    FwVersion runningVersion,
    String runningReleaseDate,
    String productVersion,
    Optional<FwVersion> pendingVersion,
    boolean secured,
    boolean signedFw,
    boolean debugFw,
    boolean devFw,
    String securityAttributes,
    String lifeCycle,
    boolean secureBoot,
    boolean encryption,
    Optional<Long> efuseSecurityVersion,
    Optional<Long> imageSecurityVersion,
    String updateMethod,
    String baseMac,
    long uptimeSeconds,
    boolean hwAccessLocked,
    List<String> components,
    String modelName,
    String description) {

  public DeviceInfo {
    components = List.copyOf(components);
  }

  /** The version on flash: pending if any, else running (flint's "FW Version"). */
  public FwVersion flashVersion() {
    return pendingVersion.orElse(runningVersion);
  }
}
