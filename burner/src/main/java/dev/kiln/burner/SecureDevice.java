package dev.kiln.burner;

import dev.kiln.inspector.section.FwVersion;
import dev.kiln.burner.pci.PciTransport;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.ComponentId;
import dev.kiln.registers.ComponentStatus;
import dev.kiln.registers.ComponentUpdateState;
import dev.kiln.registers.FsmState;
import dev.kiln.registers.Mcam;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.MccErrorCode;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.Mcda;
import dev.kiln.registers.Mcqi;
import dev.kiln.registers.McqiCapabilities;
import dev.kiln.registers.McqiInfoType;
import dev.kiln.registers.McqiVersion;
import dev.kiln.registers.Mcqs;
import dev.kiln.registers.Mfrl;
import dev.kiln.registers.Mfsv;
import dev.kiln.registers.Mgir;
import dev.kiln.registers.Mirc;
import dev.kiln.registers.MircStatus;
import dev.kiln.registers.Mlock;
import dev.kiln.registers.Mnvda;
import dev.kiln.registers.Mqis;
import dev.kiln.registers.RegisterFormatException;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The host side of a secure-FW device's controlled update path (protocol doc §2-§4, §6): query,
 * burn, read back, reset, reactivate and the HW access key, all through access registers.
 *
 * <p>The burn follows mstflint's MCC sequence exactly (§2.6): handle GET, LOCK, UPDATE_COMPONENT,
 * INITIALIZE polling, MCDA chunks, VERIFY, ACTIVATE, RELEASE. On any failure after LOCK it sends
 * CANCEL and RELEASE so the device is left idle. "Resource not available" replies are retried by
 * {@link RegisterClient}. Unlike mstflint it never force-releases a handle another host holds: a
 * second burner fails at once with "device busy" and writes nothing.
 *
 * <p>Not thread-safe; one session per device connection.
 */
public final class SecureDevice implements AutoCloseable {
  /** Sleep between INITIALIZE polls (mstflint: 240 ms). */
  static final long INITIALIZE_POLL_MS = 240;

  static final int MAX_STATE_POLLS = 3000;
  /** Tries of the first handle query (mstflint: 100). */
  static final int HANDLE_QUERY_TRIES = 100;
  /** MIRC poll interval and budget (mstflint: 50 ms, 30 s). */
  static final long MIRC_POLL_MS = 50;

  static final int MIRC_MAX_POLLS = 600;

  private final RegisterClient client;
  private final Sleeper sleeper;
  private final String uri;
  private List<Component> components;
  private int handle;
  private boolean locked;

  /** One MCQS entry with its capabilities. */
  public record Component(int index, ComponentId id, Mcqs status, McqiCapabilities capabilities) {}

  private SecureDevice(RegisterClient client, Sleeper sleeper, String uri) {
    this.client = client;
    this.sleeper = sleeper;
    this.uri = uri;
  }

  /**
   * Opens a session over {@code transport}; takes ownership of it.
   *
   * @param uri the device as the user named it, for messages
   */
  public static SecureDevice open(RegisterTransport transport, Sleeper sleeper, String uri) {
    return new SecureDevice(
        new RegisterClient(transport, sleeper, RegisterClient.DEFAULT_MAX_TRIES), sleeper, uri);
  }

  /** The register client, for its transaction counters. */
  public RegisterClient client() {
    return client;
  }

  /** The device URI. */
  public String uri() {
    return uri;
  }

  // ---------------------------------------------------------------------------------------------
  // Capabilities, livefish and component enumeration (§2.1, §2.5)

  /**
   * Checks that the device speaks the controlled update path: MCAM group 0 must flag MGIR and
   * MCQS..MQIS. Fails with a livefish message when the device is in flash-not-present mode.
   */
  public void checkSupported() throws DeviceException, TransportException {
    if (client.transport() instanceof PciTransport pci && pci.isLivefish()) {
      throw livefish();
    }
    if (client.transport() instanceof RecoveryGateway gateway && gateway.identify().livefish()) {
      throw livefish();
    }
    RegisterClient.Reply reply = client.get(AccessRegister.MCAM, Mcam.query(0).encode());
    if (!reply.ok()) {
      if (isLivefish()) {
        throw livefish();
      }
      throw new DeviceException(
          uri + ": the device does not support the controlled update path (MCAM: "
              + reply.status().text() + ")");
    }
    Mcam mcam = Mcam.decode(reply.payload());
    for (AccessRegister needed :
        List.of(
            AccessRegister.MGIR,
            AccessRegister.MCQS,
            AccessRegister.MCQI,
            AccessRegister.MCC,
            AccessRegister.MCDA,
            AccessRegister.MQIS)) {
      if (!mcam.supportsRegister(needed.id())) {
        throw new DeviceException(
            uri + ": unsupported device: its firmware does not offer " + needed.describe()
                + ", so the controlled update path is not available");
      }
    }
  }

  /**
   * Whether the device is in flash-not-present (livefish) recovery mode: the PCI device id equals
   * the HW device id (protocol doc §6.3), as the PCI gateway or the transport's {@link
   * RecoveryGateway} identification shows; otherwise MGIR is asked the same question.
   */
  public boolean isLivefish() throws TransportException {
    if (client.transport() instanceof PciTransport pci) {
      return pci.isLivefish();
    }
    if (client.transport() instanceof RecoveryGateway gateway) {
      return gateway.identify().livefish();
    }
    RegisterClient.Reply reply = client.get(AccessRegister.MGIR, new byte[Mgir.SIZE]);
    if (!reply.ok()) {
      return false;
    }
    Mgir mgir = Mgir.decode(reply.payload());
    return mgir.deviceId() != 0 && mgir.deviceId() == mgir.hwDevId();
  }

  private DeviceException livefish() {
    return new DeviceException(
        uri + " is in flash-not-present (livefish) recovery mode: it has no valid firmware;"
            + " restore it with 'kiln burn --device " + uri + " --psid PSID IMAGE'");
  }

  /** The MCQS components with their MCQI capabilities (enumerated once per session). */
  public List<Component> components() throws DeviceException, TransportException {
    if (components != null) {
      return components;
    }
    List<Component> found = new ArrayList<>();
    for (int index = 0; index < 64; index++) {
      RegisterClient.Reply status = client.get(AccessRegister.MCQS, Mcqs.query(index).encode());
      if (!status.ok()) {
        throw new DeviceException(
            uri + ": component query (MCQS index " + index + ") failed: " + status.status().text());
      }
      Mcqs mcqs = Mcqs.decode(status.payload());
      McqiCapabilities capabilities = capabilities(index, true);
      if (capabilities == null) {
        capabilities = capabilities(index, false);
      }
      if (capabilities == null) {
        throw new DeviceException(uri + ": component info (MCQI index " + index + ") failed");
      }
      found.add(new Component(index, mcqs.component(), mcqs, capabilities));
      if (mcqs.lastIndexFlag()) {
        break;
      }
    }
    components = List.copyOf(found);
    return components;
  }

  private McqiCapabilities capabilities(int index, boolean pending) throws TransportException {
    RegisterClient.Reply reply =
        client.get(
            AccessRegister.MCQI,
            Mcqi.query(index, McqiInfoType.CAPABILITIES, pending).encode());
    if (!reply.ok()) {
      return null;
    }
    return McqiCapabilities.decode(Mcqi.decode(reply.payload()).data());
  }

  /** The BOOT_IMG component. */
  public Component bootImage() throws DeviceException, TransportException {
    for (Component component : components()) {
      if (component.id() == ComponentId.BOOT_IMG) {
        return component;
      }
    }
    throw new DeviceException(uri + ": Component not supported (the device lists no BOOT_IMG)");
  }

  // ---------------------------------------------------------------------------------------------
  // Query (§3)

  /** MCQI VERSION of BOOT_IMG, running or pending; empty when the device has none. */
  public Optional<McqiVersion> version(boolean pending) throws DeviceException, TransportException {
    Component boot = bootImage();
    if (!boot.capabilities().supports(McqiInfoType.VERSION)) {
      throw new DeviceException(uri + ": the device does not report the BOOT_IMG version");
    }
    if (pending
        && boot.status().updateState() != ComponentUpdateState.ACTIVE_PENDING_RESET) {
      // Nothing pending: some devices answer read_pending with the running data, so do not ask.
      return Optional.empty();
    }
    RegisterClient.Reply reply =
        client.get(
            AccessRegister.MCQI,
            Mcqi.query(boot.index(), McqiInfoType.VERSION, pending).encode());
    if (!reply.ok()) {
      if (pending) {
        return Optional.empty();
      }
      throw new DeviceException(
          uri + ": Failed to query the FW - running version: " + reply.status().text());
    }
    return Optional.of(McqiVersion.decode(Mcqi.decode(reply.payload()).data()));
  }

  /** MGIR. */
  public Mgir generalInfo() throws DeviceException, TransportException {
    RegisterClient.Reply reply = client.get(AccessRegister.MGIR, new byte[Mgir.SIZE]);
    if (!reply.ok()) {
      throw new DeviceException(uri + ": MGIR query failed: " + reply.status().text());
    }
    return Mgir.decode(reply.payload());
  }

  /** MFSV, when MCAM group 2 lists it. */
  public Optional<Mfsv> securityVersions() throws TransportException {
    if (!supportsGroup2(AccessRegister.MFSV)) {
      return Optional.empty();
    }
    RegisterClient.Reply reply = client.get(AccessRegister.MFSV, new byte[Mfsv.SIZE]);
    return reply.ok() ? Optional.of(Mfsv.decode(reply.payload())) : Optional.empty();
  }

  private boolean supportsGroup2(AccessRegister register) throws TransportException {
    RegisterClient.Reply reply = client.get(AccessRegister.MCAM, Mcam.query(2).encode());
    return reply.ok() && Mcam.decode(reply.payload()).supportsRegister(register.id());
  }

  private String infoString(int type) throws TransportException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int total = Integer.MAX_VALUE;
    for (int offset = 0; offset < total && offset < 4096; offset += Mqis.MAX_READ) {
      RegisterClient.Reply reply =
          client.get(AccessRegister.MQIS, Mqis.query(type, offset, Mqis.MAX_READ).encode());
      if (!reply.ok()) {
        return "";
      }
      Mqis mqis = Mqis.decode(reply.payload());
      total = mqis.infoLength();
      int length = Math.min(mqis.readLength(), Math.min(Mqis.MAX_READ, total - offset));
      if (length <= 0) {
        break;
      }
      out.write(mqis.infoString(), 0, length);
    }
    String text = out.toString(StandardCharsets.US_ASCII);
    int nul = text.indexOf('\0');
    return (nul >= 0 ? text.substring(0, nul) : text).trim();
  }

  private DeviceException hwAccessDisabled() {
    return new DeviceException(
        "Cannot access " + uri + ": HW access is disabled on the device. Run \"kiln device"
            + " hw-access enable --device " + uri + " --key-file FILE\" in order to enable HW"
            + " access.");
  }

  /** Whether MLOCK says host access is locked by a HW access key (false when MLOCK is absent). */
  public boolean hwAccessLocked() throws TransportException {
    RegisterClient.Reply reply = client.get(AccessRegister.MLOCK, new byte[Mlock.SIZE]);
    return reply.ok() && Mlock.decode(reply.payload()).locked();
  }

  /** The whole query of §3.1. */
  public DeviceInfo query() throws DeviceException, TransportException {
    checkSupported();
    components();
    Optional<McqiVersion> pending = version(true);
    McqiVersion running = version(false).orElseThrow();
    Mgir mgir = generalInfo();
    Optional<Mfsv> mfsv = securityVersions();
    List<String> componentTexts = new ArrayList<>();
    StringBuilder attributes = new StringBuilder();
    if (mgir.secured()) {
      attributes.append("secure-fw");
    } else if (mgir.signedFw()) {
      attributes.append("signed-fw");
    } else {
      attributes.append("N/A");
    }
    if (mgir.secured() || mgir.signedFw()) {
      if (mgir.debug()) {
        attributes.append(", debug");
      }
      if (mgir.dev()) {
        attributes.append(", dev");
      }
    }
    for (Component component : components) {
      componentTexts.add(
          String.format(
              "%s (%s, %s)",
              component.id() == null ? "component " + component.status().identifier()
                  : component.id().name(),
              component.status().status(),
              component.status().updateState()));
      boolean present = component.status().status() == ComponentStatus.PRESENT
          || component.status().status() == ComponentStatus.IN_USE;
      if (present && (mgir.secured() || mgir.signedFw()) && component.id() != null) {
        switch (component.id()) {
          case CS_TOKEN -> attributes.append(", cs-token");
          case DBG_TOKEN -> attributes.append(", dbg-token");
          case CRYPTO_TO_COMMISSIONING -> attributes.append(", crypto-to-commissioning");
          case RMCS_TOKEN -> attributes.append(", rmcs-token");
          case RMDT_TOKEN -> attributes.append(", rmdt-token");
          default -> {}
        }
      }
    }
    return new DeviceInfo(
        uri,
        DeviceNames.of(mgir.hwDevId()),
        mgir.deviceId(),
        mgir.hwDevId(),
        mgir.deviceHwRevision(),
        mgir.psid(),
        versionOf(running),
        releaseDate(running),
        running.versionString().length() <= 16 ? running.versionString() : "",
        pending.map(SecureDevice::versionOf),
        mgir.secured(),
        mgir.signedFw(),
        mgir.debug(),
        mgir.dev(),
        attributes.toString(),
        mgir.lifeCycleText(),
        mgir.secBoot(),
        mgir.encryption(),
        mfsv.map(Mfsv::efusesSecVer),
        mfsv.map(Mfsv::imgSecVer),
        "fw_ctrl",
        String.format("%012x", mgir.manufacturingBaseMac()),
        mgir.uptime(),
        hwAccessLocked(),
        componentTexts,
        infoString(Mqis.MODEL_NAME),
        infoString(Mqis.MODEL_DESCRIPTION));
  }

  /** flint prints the low dword of build_time as hex day.month.year. */
  private static String releaseDate(McqiVersion version) {
    if (!version.buildTimeValid()) {
      return "";
    }
    long low = version.buildTime() & 0xFFFF_FFFFL;
    return String.format(
        Locale.ROOT, "%x.%x.%x", low & 0xFF, (low >>> 8) & 0xFF, (low >>> 16) & 0xFFFF);
  }

  // ---------------------------------------------------------------------------------------------
  // MCC plumbing (§2.2-§2.4, §2.9)

  /** An MCC reply with its register status. */
  private record MccReply(RegisterStatus status, Mcc mcc) {}

  private MccReply mcc(MccInstruction instruction, int componentIndex, long size)
      throws TransportException {
    Mcc command = Mcc.command(instruction, componentIndex, handle, size);
    RegisterClient.Reply reply =
        instruction == MccInstruction.QUERY
            ? client.get(AccessRegister.MCC, command.encode())
            : client.set(AccessRegister.MCC, command.encode());
    return new MccReply(reply.status(), Mcc.decode(reply.payload()));
  }

  /** Fails unless the reply is OK (and, when given, in {@code expected} state). */
  private Mcc require(MccReply reply, String step, FsmState... expected)
      throws DeviceException, ImageRejectedException {
    if (reply.status() != RegisterStatus.OK) {
      MccErrorCode error = reply.mcc().error();
      if (reply.mcc().errorCode() != 0) {
        String message = uri + ": " + step + " failed: " + MccMessages.describe(error);
        if (MccMessages.isImageRejection(error)) {
          throw new ImageRejectedException(
              uri + ": the device refused the image: " + MccMessages.describe(error),
              reply.mcc().errorCode());
        }
        throw new DeviceException(message);
      }
      throw new DeviceException(
          uri + ": " + step + " failed: " + reply.status().text()
              + (reply.status() == RegisterStatus.RES_NOT_AVLBL
                  ? " (device busy for too long; timed out)"
                  : ""));
    }
    if (expected.length > 0) {
      FsmState state = reply.mcc().state();
      for (FsmState wanted : expected) {
        if (state == wanted) {
          return reply.mcc();
        }
      }
      throw new DeviceException(
          uri + ": " + step + ": Unexpected state " + state + " (wanted "
              + List.of(expected) + ")");
    }
    return reply.mcc();
  }

  /**
   * Takes the update handle: MCC GET for the handle (fails at once with "device busy" when another
   * host holds it), then LOCK with it.
   */
  private void lock(int componentIndex)
      throws DeviceException, ImageRejectedException, TransportException {
    if (hwAccessLocked()) {
      // A locked device refuses every SET but MLOCK: say why instead of "method not supported".
      throw hwAccessDisabled();
    }
    RegisterClient.Reply reply =
        client.access(
            AccessRegister.MCC,
            RegisterMethod.GET,
            Mcc.command(MccInstruction.QUERY, componentIndex, 0, 0).encode(),
            HANDLE_QUERY_TRIES);
    if (!reply.ok()) {
      throw new DeviceException(
          uri + ": the update handle query failed: " + reply.status().text()
              + (reply.status() == RegisterStatus.RES_NOT_AVLBL ? " (device busy)" : ""));
    }
    Mcc state = Mcc.decode(reply.payload());
    if (state.state() != FsmState.IDLE) {
      throw busy(state);
    }
    handle = state.updateHandle();
    MccReply locking = mcc(MccInstruction.LOCK_UPDATE_HANDLE, componentIndex, 0);
    if (locking.status() == RegisterStatus.OK && locking.mcc().state() == FsmState.LOCKED) {
      locked = true;
      return;
    }
    if (locking.status() == RegisterStatus.OK
        || locking.status() == RegisterStatus.RES_NOT_AVLBL
        || locking.status() == RegisterStatus.DEV_BUSY
        || locking.mcc().state() != FsmState.IDLE) {
      // Another host won the race between our GET and our LOCK.
      throw busy(locking.mcc());
    }
    if (locking.mcc().errorCode() != 0) {
      throw new DeviceException(
          uri + ": LOCK_UPDATE_HANDLE failed: " + MccMessages.describe(locking.mcc().error()));
    }
    throw new DeviceException(
        uri + ": LOCK_UPDATE_HANDLE failed: " + locking.status().text());
  }

  private DeviceException busy(Mcc state) {
    return new DeviceException(
        String.format(
            "%s: device busy: another host holds the update handle (state %s, owner type %d,"
                + " last command %d s ago); retry when it is done",
            uri, state.state(), state.handleOwnerType(), state.timeElapsedSinceLastCmd()));
  }

  /** CANCEL then RELEASE, after a failure; their own failures are attached, not thrown. */
  private void abandon(Exception failure, int componentIndex) {
    if (!locked) {
      return;
    }
    try {
      mcc(MccInstruction.CANCEL, componentIndex, 0);
    } catch (TransportException | RuntimeException e) {
      failure.addSuppressed(e);
    }
    release(failure, componentIndex);
  }

  private void release(Exception failure, int componentIndex) {
    try {
      MccReply reply = mcc(MccInstruction.RELEASE_UPDATE_HANDLE, componentIndex, 0);
      if (reply.status() == RegisterStatus.OK) {
        locked = false;
      }
    } catch (TransportException | RuntimeException e) {
      if (failure != null) {
        failure.addSuppressed(e);
      }
    }
  }

  private void pause(long millis) throws TransportException {
    try {
      sleeper.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException(uri + ": interrupted", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Burn (§2.6, §2.7)

  /**
   * Burns {@code component} (the BOOT_IMG bytes as §2.6 step 11 builds them) through MCC, then
   * re-queries the device and checks that the expected version is pending (or running).
   *
   * @throws ImageRejectedException when the device refuses the image (VERIFY fails)
   * @throws DeviceException when the device fails, is busy, or shows another version afterwards
   */
  public BurnReport burn(byte[] component, BurnOptions options, BurnProgress progress)
      throws DeviceException, ImageRejectedException, TransportException {
    checkSupported();
    Component boot = bootImage();
    if (component.length % 4 != 0) {
      throw new DeviceException(uri + ": the component size must be a multiple of 4 bytes");
    }
    long max = boot.capabilities().maxComponentSize();
    if (max > 0 && component.length > max) {
      throw new DeviceException(
          String.format(
              "%s: the image (%d bytes) is larger than the device's largest BOOT_IMG (%d bytes)",
              uri, component.length, max));
    }
    int chunk = Mcda.MAX_DATA;
    int deviceChunk = boot.capabilities().mcdaMaxWriteSize();
    if (deviceChunk > 0 && deviceChunk < chunk) {
      chunk = deviceChunk & ~3;
    }
    long started = System.nanoTime();
    long transactionsBefore = client.transactions();
    PciTransport pci = client.transport() instanceof PciTransport p ? p : null;
    if (pci != null) {
      pci.lockFlashSemaphore();
    }
    long transferNanos;
    try {
      progress.step("Locking the update handle");
      lock(boot.index());
      try {
        transferNanos = download(boot.index(), component, chunk, progress);
        progress.step("Verifying the image on the device");
        require(mcc(MccInstruction.VERIFY_COMPONENT, boot.index(), 0), "VERIFY_COMPONENT",
            FsmState.LOCKED);
        if (options.activate()) {
          progress.step("Activating");
          require(mcc(MccInstruction.ACTIVATE, boot.index(), 0), "ACTIVATE");
        }
        require(mcc(MccInstruction.RELEASE_UPDATE_HANDLE, boot.index(), 0),
            "RELEASE_UPDATE_HANDLE");
        locked = false;
      } catch (DeviceException | ImageRejectedException | TransportException
          | RuntimeException e) {
        abandon(e, boot.index());
        throw e;
      }
    } finally {
      if (pci != null) {
        pci.unlockFlashSemaphore();
      }
    }
    long total = System.nanoTime() - started;
    long transactions = client.transactions() - transactionsBefore;
    components = null; // the component states changed
    Optional<FwVersion> pending = version(true).map(SecureDevice::versionOf);
    FwVersion running = versionOf(version(false).orElseThrow());
    if (options.activate() && options.expectedVersion() != null) {
      FwVersion now = pending.orElse(running);
      if (!now.equals(options.expectedVersion())) {
        throw new DeviceException(
            String.format(
                "%s: the burn completed but the device reports version %s, not the new %s",
                uri, now, options.expectedVersion()));
      }
    }
    return new BurnReport(
        uri, component.length, transferNanos, total, transactions, options.activate(), running,
        pending);
  }

  private static FwVersion versionOf(McqiVersion version) {
    return new FwVersion(version.major(), version.minor(), version.subminor());
  }

  /** UPDATE_COMPONENT, INITIALIZE polling and the MCDA chunks; returns the transfer time. */
  private long download(int index, byte[] component, int chunk, BurnProgress progress)
      throws DeviceException, ImageRejectedException, TransportException {
    progress.step("Preparing the inactive partition");
    Mcc update =
        require(
            mcc(MccInstruction.UPDATE_COMPONENT, index, component.length),
            "UPDATE_COMPONENT",
            FsmState.INITIALIZE,
            FsmState.DOWNLOAD);
    for (int poll = 0; update.state() == FsmState.INITIALIZE; poll++) {
      if (poll >= MAX_STATE_POLLS) {
        throw new DeviceException(
            uri + ": Time-out reached while waiting for the FSM to be updated (INITIALIZE)");
      }
      pause(INITIALIZE_POLL_MS);
      update = require(mcc(MccInstruction.QUERY, index, 0), "MCC query");
      if (update.errorCode() != 0) {
        throw new DeviceException(
            uri + ": preparing the partition failed: " + MccMessages.describe(update.error()));
      }
    }
    if (update.state() != FsmState.DOWNLOAD) {
      throw new DeviceException(
          uri + ": UPDATE_COMPONENT: Unexpected state " + update.state() + " (wanted DOWNLOAD)");
    }
    long start = System.nanoTime();
    progress.written(0, component.length);
    for (int offset = 0; offset < component.length; offset += chunk) {
      int length = Math.min(chunk, component.length - offset);
      RegisterClient.Reply reply =
          client.set(
              AccessRegister.MCDA,
              Mcda.fromImage(handle, offset, component, offset, length).encode());
      if (!reply.ok()) {
        progress.transferEnded();
        throw new DeviceException(
            String.format(
                "%s: writing the image failed at offset 0x%x: %s",
                uri, offset, reply.status().text()));
      }
      progress.written(offset + length, component.length);
    }
    progress.transferEnded();
    return System.nanoTime() - start;
  }

  // ---------------------------------------------------------------------------------------------
  // Read back (§2.8)

  /**
   * Reads the BOOT_IMG component back, as flint verify does: LOCK, READ_PENDING_COMPONENT (when
   * {@code preferPending}; falling back to READ_COMPONENT), MCDA GETs, RELEASE.
   *
   * @param preferPending read the pending image when there is one (verify); false reads the
   *     running image (the one whose keys and forbidden list the device enforces)
   */
  public byte[] readBootImage(boolean preferPending, BurnProgress progress)
      throws DeviceException, ImageRejectedException, TransportException {
    checkSupported();
    Component boot = bootImage();
    if (!boot.capabilities().rdEn()) {
      throw new DeviceException(uri + ": Reading component is not supported (rd_en = 0)");
    }
    if (generalInfo().encryption()) {
      throw new DeviceException(uri + ": Cannot verify an encrypted flash");
    }
    long size = boot.capabilities().componentSize();
    if (size <= 0 || size > Integer.MAX_VALUE - 8) {
      throw new DeviceException(uri + ": the device reports no BOOT_IMG size to read");
    }
    lock(boot.index());
    byte[] image = new byte[(int) size];
    try {
      MccReply reading =
          preferPending ? mcc(MccInstruction.READ_PENDING_COMPONENT, boot.index(), 0) : null;
      if (reading == null
          || reading.status() != RegisterStatus.OK
          || reading.mcc().state() != FsmState.UPLOAD) {
        reading = mcc(MccInstruction.READ_COMPONENT, boot.index(), 0);
      }
      require(reading, "READ_COMPONENT", FsmState.UPLOAD);
      for (int offset = 0; offset < image.length; offset += Mcda.MAX_DATA) {
        int length = Math.min(Mcda.MAX_DATA, image.length - offset);
        Mcda request = new Mcda(handle, offset, length, new byte[Mcda.MAX_DATA]);
        RegisterClient.Reply reply = client.get(AccessRegister.MCDA, request.encode());
        if (!reply.ok()) {
          throw new DeviceException(
              String.format(
                  "%s: reading the image failed at offset 0x%x: %s",
                  uri, offset, reply.status().text()));
        }
        Mcda.decode(reply.payload()).copyImageBytes(image, offset);
        progress.written(offset + length, image.length);
      }
      progress.transferEnded();
      require(mcc(MccInstruction.RELEASE_UPDATE_HANDLE, boot.index(), 0), "RELEASE");
      locked = false;
    } catch (DeviceException | ImageRejectedException | TransportException
        | RuntimeException e) {
      release(e, boot.index());
      throw e;
    }
    return image;
  }

  // ---------------------------------------------------------------------------------------------
  // Reset, reactivation, HW access key (§4.2, §4.3, §6.2)

  /**
   * Firmware reset through MFRL at the lowest supported level, then checks through MGIR uptime that
   * the firmware restarted (as mstfwreset does).
   *
   * @return the level used
   */
  public int reset() throws DeviceException, TransportException {
    Mgir before = generalInfo();
    RegisterClient.Reply query = client.get(AccessRegister.MFRL, new byte[Mfrl.SIZE]);
    if (!query.ok()) {
      // mstfwreset retries the first MFRL access once: early firmware may fail it.
      query = client.get(AccessRegister.MFRL, new byte[Mfrl.SIZE]);
    }
    if (!query.ok()) {
      throw new DeviceException(uri + ": MFRL query failed: " + query.status().text());
    }
    int supported = Mfrl.decode(query.payload()).resetTrigger();
    int level =
        (supported & Mfrl.LEVEL_0_LIVE_PATCH) != 0
            ? Mfrl.LEVEL_0_LIVE_PATCH
            : (supported & Mfrl.LEVEL_3_DRIVER_RESTART) != 0
                ? Mfrl.LEVEL_3_DRIVER_RESTART
                : Mfrl.LEVEL_4_WARM_REBOOT;
    RegisterClient.Reply reply = client.set(AccessRegister.MFRL, Mfrl.request(level).encode());
    if (!reply.ok()) {
      throw new DeviceException(uri + ": firmware reset (MFRL) failed: " + reply.status().text());
    }
    components = null;
    Mgir after = generalInfo();
    if (after.uptime() >= before.uptime() && before.uptime() > 5) {
      throw new DeviceException(
          uri + ": Firmware reset failed, retry operation or reboot machine.");
    }
    return level;
  }

  /** MIRC: reactivates the previous image (cancels a pending one), polling while busy. */
  public void reactivate() throws DeviceException, TransportException {
    if (!supportsGroup2(AccessRegister.MIRC)) {
      throw new DeviceException(
          uri + ": Image reactivation - FW doesn't support this operation");
    }
    RegisterClient.Reply start = client.set(AccessRegister.MIRC, new Mirc(0).encode());
    if (!start.ok()) {
      throw new DeviceException(uri + ": image reactivation failed: " + start.status().text());
    }
    for (int poll = 0; poll < MIRC_MAX_POLLS; poll++) {
      pause(MIRC_POLL_MS);
      RegisterClient.Reply reply = client.get(AccessRegister.MIRC, new byte[Mirc.SIZE]);
      if (!reply.ok()) {
        throw new DeviceException(
            uri + ": image reactivation status failed: " + reply.status().text());
      }
      MircStatus status = Mirc.decode(reply.payload()).status();
      if (status == MircStatus.SUCCESS) {
        components = null;
        return;
      }
      if (status != MircStatus.BUSY) {
        throw new DeviceException(
            "Failed to execute image reactivation on device " + uri + ". Error: "
                + status.text() + ".");
      }
    }
    throw new DeviceException(uri + ": Image reactivation - timeout expired");
  }

  /**
   * MLOCK SET: {@code lock} true disables host access with {@code key} (set-key, hw-access
   * disable), false enables it again (hw-access enable).
   */
  public void hwAccess(boolean lock, long key) throws DeviceException, TransportException {
    RegisterClient.Reply reply =
        client.set(
            AccessRegister.MLOCK, new Mlock(lock ? Mlock.LOCK : Mlock.UNLOCK, key).encode());
    if (reply.status() == RegisterStatus.BAD_PARAM) {
      throw new DeviceException(uri + ": The given key is incorrect");
    }
    if (reply.status() == RegisterStatus.REG_NOT_SUPP) {
      throw new DeviceException(uri + ": the device does not support the HW access key (MLOCK)");
    }
    if (!reply.ok()) {
      throw new DeviceException(uri + ": MLOCK failed: " + reply.status().text());
    }
  }

  /**
   * Sets the base MAC and GUID as flint's {@code sg} does on an MCC device: an MNVDA SET of NV TLV
   * NV_BASE_MAC_GUID (0x2); the firmware applies it through its controlled configuration path.
   */
  public void setBaseMacGuid(long mac, long guid) throws DeviceException, TransportException {
    byte[] request = Mnvda.baseMacGuid(mac, guid).encode();
    RegisterClient.Reply reply = client.access(AccessRegister.MNVDA, RegisterMethod.SET, request,
        RegisterClient.DEFAULT_MAX_TRIES);
    if (reply.status() == RegisterStatus.REG_NOT_SUPP) {
      throw new DeviceException(
          uri + ": the device does not support setting GUIDs (MNVDA: Register not supported)");
    }
    if (!reply.ok()) {
      throw new DeviceException(uri + ": setting the base GUID/MAC (MNVDA) failed: "
          + reply.status().text());
    }
  }

  /** The base MAC and GUID from MNVDA ({mac, guid}), or empty when the device does not say. */
  public Optional<long[]> baseMacGuid() throws TransportException {
    RegisterClient.Reply reply =
        client.access(AccessRegister.MNVDA, RegisterMethod.GET, Mnvda.baseMacGuid(0, 0).encode(),
            RegisterClient.DEFAULT_MAX_TRIES);
    if (!reply.ok()) {
      return Optional.empty();
    }
    Mnvda tlv;
    try {
      tlv = Mnvda.decode(reply.payload());
    } catch (RegisterFormatException e) {
      return Optional.empty();
    }
    return tlv.isBaseMacGuid() ? Optional.of(new long[] {tlv.mac(), tlv.guid()}) : Optional.empty();
  }

  @Override
  public void close() throws TransportException {
    try {
      if (locked) {
        release(null, 0);
      }
    } finally {
      client.close();
    }
  }
}
