package dev.kiln.burner;

import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.registers.ComponentId;
import dev.kiln.registers.McqiCapabilities;
import dev.kiln.registers.McqiVersion;
import dev.kiln.registers.Mcqs;
import dev.kiln.registers.Mfsv;
import dev.kiln.registers.Mgir;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import java.util.List;
import java.util.Optional;

/**
 * A host-side session with a secure-FW device over its controlled update path (protocol doc
 * §2-§4, §6): query, burn, read back, reset, reactivate and the HW access key, all through access
 * registers.
 *
 * <p>This class wires the parts together and delegates: {@link UpdatePathSupport} (MCAM,
 * livefish), {@link ComponentCatalog} (MCQS/MCQI), {@link DeviceQuery} (read-only questions),
 * {@link UpdateHandle} (the MCC handle), {@link BootImageBurner} (one burn), {@link
 * BootImageReader} (read-back), {@link ImageActivation} (MFRL, MIRC) and {@link DeviceSettings}
 * (MLOCK, MNVDA). docs/burner.md lists where the burn's register sequence differs from mstflint's
 * and why.
 *
 * <p>Not thread-safe; one session per device connection.
 */
public final class SecureDevice implements AutoCloseable {
  private final DeviceLink link;
  private final UpdatePathSupport support;
  private final ComponentCatalog catalog;
  private final DeviceSettings settings;
  private final DeviceQuery query;
  private final UpdateHandle handle;
  private final BootImageBurner burner;
  private final BootImageReader reader;
  private final ImageActivation activation;

  /** One MCQS entry with its capabilities. */
  public record Component(int index, ComponentId id, Mcqs status, McqiCapabilities capabilities) {}

  private SecureDevice(DeviceLink link) {
    this.link = link;
    this.settings = new DeviceSettings(link);
    this.handle = new UpdateHandle(link, settings);
    this.support = new UpdatePathSupport(link);
    this.catalog = new ComponentCatalog(link);
    this.query = new DeviceQuery(link, support, catalog, settings);
    this.burner =
        new BootImageBurner(link, support, catalog, handle, query, new TimestampCheck(link));
    this.reader = new BootImageReader(link, support, catalog, handle, query);
    this.activation = new ImageActivation(link, support, catalog, query);
  }

  /**
   * Opens a session over {@code transport}; takes ownership of it.
   *
   * @param uri the device as the user named it, for messages
   */
  public static SecureDevice open(RegisterTransport transport, Sleeper sleeper, String uri) {
    return new SecureDevice(
        new DeviceLink(
            new RegisterClient(transport, sleeper, RegisterClient.DEFAULT_MAX_TRIES),
            sleeper,
            uri));
  }

  /** The register client, for its transaction counters. */
  public RegisterClient client() {
    return link.client();
  }

  /** The device URI. */
  public String uri() {
    return link.uri();
  }

  /**
   * Checks that the device speaks the controlled update path: MCAM group 0 must flag MGIR and
   * MCQS..MQIS. Fails with a livefish message when the device is in flash-not-present mode.
   */
  public void checkSupported() throws DeviceException, TransportException {
    support.checkSupported();
  }

  /**
   * Whether the device is in flash-not-present (livefish) recovery mode: the PCI device id equals
   * the HW device id (protocol doc §6.3), as the PCI gateway or the transport's {@link
   * RecoveryGateway} identification shows; otherwise MGIR is asked the same question.
   */
  public boolean isLivefish() throws TransportException {
    return support.isLivefish();
  }

  /** The MCQS components with their MCQI capabilities (enumerated once per session). */
  public List<Component> components() throws DeviceException, TransportException {
    return catalog.components();
  }

  /** The BOOT_IMG component. */
  public Component bootImage() throws DeviceException, TransportException {
    return catalog.bootImage();
  }

  /** MCQI VERSION of BOOT_IMG, running or pending; empty when the device has none. */
  public Optional<McqiVersion> version(boolean pending) throws DeviceException, TransportException {
    return query.version(pending);
  }

  /** MGIR. */
  public Mgir generalInfo() throws DeviceException, TransportException {
    return query.generalInfo();
  }

  /** MFSV, when MCAM group 2 lists it. */
  public Optional<Mfsv> securityVersions() throws TransportException {
    return query.securityVersions();
  }

  /** Whether MLOCK says host access is locked by a HW access key (false when MLOCK is absent). */
  public boolean hwAccessLocked() throws TransportException {
    return settings.hwAccessLocked();
  }

  /** The whole query of §3.1. */
  public DeviceInfo query() throws DeviceException, TransportException {
    return query.query();
  }

  /**
   * Burns {@code component} (the BOOT_IMG bytes as §2.6 step 11 builds them) through MCC, then
   * re-queries the device and checks that the expected version is pending (or running).
   *
   * @throws ImageRejectedException when the device refuses the image (VERIFY fails)
   * @throws DeviceException when the device fails, is busy, or shows another version afterwards
   */
  public BurnReport burn(byte[] component, BurnOptions options, BurnProgress progress)
      throws DeviceException, ImageRejectedException, TransportException {
    return burner.burn(component, options, progress);
  }

  /**
   * Reads the BOOT_IMG component back, as flint verify does: LOCK, READ_PENDING_COMPONENT (when
   * {@code preferPending}; falling back to READ_COMPONENT), MCDA GETs, RELEASE.
   *
   * @param preferPending read the pending image when there is one (verify); false reads the
   *     running image (the one whose keys and forbidden list the device enforces)
   */
  public byte[] readBootImage(boolean preferPending, BurnProgress progress)
      throws DeviceException, ImageRejectedException, TransportException {
    return reader.readBootImage(preferPending, progress);
  }

  /**
   * Firmware reset through MFRL at the lowest supported level, then checks through MGIR uptime that
   * the firmware restarted (as mstfwreset does).
   *
   * @return the level used
   */
  public int reset() throws DeviceException, TransportException {
    return activation.reset();
  }

  /** MIRC: reactivates the previous image (cancels a pending one), polling while busy. */
  public void reactivate() throws DeviceException, TransportException {
    activation.reactivate();
  }

  /**
   * MLOCK SET: {@code lock} true disables host access with {@code key} (set-key, hw-access
   * disable), false enables it again (hw-access enable).
   */
  public void hwAccess(boolean lock, long key) throws DeviceException, TransportException {
    settings.hwAccess(lock, key);
  }

  /**
   * Sets the base MAC and GUID as flint's {@code sg} does on an MCC device: an MNVDA SET of NV TLV
   * NV_BASE_MAC_GUID (0x2); the firmware applies it through its controlled configuration path.
   */
  public void setBaseMacGuid(long mac, long guid) throws DeviceException, TransportException {
    settings.setBaseMacGuid(mac, guid);
  }

  /** The base MAC and GUID from MNVDA ({mac, guid}), or empty when the device does not say. */
  public Optional<long[]> baseMacGuid() throws TransportException {
    return settings.baseMacGuid();
  }

  /** Releases a handle this session still holds, then closes the transport. */
  @Override
  public void close() throws TransportException {
    try {
      if (handle.locked()) {
        handle.release(null, 0);
      }
    } finally {
      link.client().close();
    }
  }
}
