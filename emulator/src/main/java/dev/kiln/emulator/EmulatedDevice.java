package dev.kiln.emulator;

import dev.kiln.emulator.internal.BootRom;
import dev.kiln.emulator.internal.ControlRegisters;
import dev.kiln.emulator.internal.DeviceDataArea;
import dev.kiln.emulator.internal.DeviceState;
import dev.kiln.emulator.internal.DirectoryLock;
import dev.kiln.emulator.internal.Flash;
import dev.kiln.emulator.internal.FlashGateway;
import dev.kiln.emulator.internal.PldmFirmwareDevice;
import dev.kiln.emulator.internal.ImageFacts;
import dev.kiln.emulator.internal.QueryRegisters;
import dev.kiln.emulator.internal.RegisterDispatcher;
import dev.kiln.emulator.internal.SecureBootPolicy;
import dev.kiln.emulator.internal.TrustAnchor;
import dev.kiln.emulator.internal.UpdateStateMachine;
import dev.kiln.emulator.internal.UserTimestamps;
import dev.kiln.inspector.ImageFormatException;
import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.registers.FsmState;
import dev.kiln.registers.Recording;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import dev.kiln.registers.pldm.PldmEndpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A ConnectX adapter running secure firmware, emulated at the access-register level over a device
 * directory (see docs/emulator.md). Every register transaction is envelope bytes in, envelope bytes
 * out (protocol doc §1.2). The state that survives power loss lives on disk: the flash file with
 * two image slots, {@code nv.properties}, the trust anchor and the CS token. The update state
 * machine and downloaded data live in memory only, as on the real device.
 *
 * <p>This class is the facade: it owns the device's lifetime (create, power-on, power loss, close,
 * recording) and wires the parts in {@code dev.kiln.emulator.internal}, each one job:
 * {@link DeviceState} (what survives power loss), {@link BootRom}, {@link UpdateStateMachine} (MCC
 * and MCDA), {@link ControlRegisters} (MFRL, MIRC, MLOCK, MNVDA, MVTS), {@link RegisterDispatcher}
 * (envelopes, routing, query registers) and {@link FlashGateway} (livefish).
 *
 * <p>Thread-safe: every transaction runs under the device lock, one at a time.
 */
public final class EmulatedDevice implements RegisterTransport, PldmEndpoint {

  /** Flash file name in the device directory. */
  public static final String FLASH_FILE = "flash.bin";
  /** Policy sections of the last image that booted: what a device in recovery trusts. */
  public static final String TRUST_ANCHOR_FILE = TrustAnchor.FILE;
  /** The installed CS token. */
  public static final String CS_TOKEN_FILE = UpdateStateMachine.CS_TOKEN_FILE;
  /** MCQS index of the boot image component. */
  public static final int INDEX_BOOT_IMG = QueryRegisters.INDEX_BOOT_IMG;
  /** MCQS index of the CS token component. */
  public static final int INDEX_CS_TOKEN = QueryRegisters.INDEX_CS_TOKEN;
  /** The 16-byte fingerprint a configuration (token) file starts with (protocol doc §6.1). */
  public static final byte[] CONFIG_FINGERPRINT = UpdateStateMachine.CONFIG_FINGERPRINT.clone();
  /** Largest CS token accepted. */
  public static final int MAX_TOKEN_SIZE = UpdateStateMachine.MAX_TOKEN_SIZE;
  /** Default idle time after which the device frees a locked update handle. */
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofMinutes(5);

  /** Open options. */
  public record Options(
      FaultInjector faults,
      Duration lockTimeout,
      LongSupplier nanoClock,
      boolean flashNotPresent,
      Optional<Path> recordTo) {
    public Options {
      Objects.requireNonNull(faults, "faults");
      Objects.requireNonNull(lockTimeout, "lockTimeout");
      Objects.requireNonNull(nanoClock, "nanoClock");
      Objects.requireNonNull(recordTo, "recordTo");
    }

    /** No faults, the default lock timeout, the system clock, flash present, no recording. */
    public static Options defaults() {
      return new Options(
          FaultInjector.NONE, DEFAULT_LOCK_TIMEOUT, System::nanoTime, false, Optional.empty());
    }

    public Options withFaults(FaultInjector value) {
      return new Options(value, lockTimeout, nanoClock, flashNotPresent, recordTo);
    }

    public Options withLockTimeout(Duration value) {
      return new Options(faults, value, nanoClock, flashNotPresent, recordTo);
    }

    public Options withClock(LongSupplier value) {
      return new Options(faults, lockTimeout, value, flashNotPresent, recordTo);
    }

    /** Simulates the flash-not-present jumper: the device boots into recovery (livefish). */
    public Options withFlashNotPresent(boolean value) {
      return new Options(faults, lockTimeout, nanoClock, value, recordTo);
    }

    public Options withRecording(Path file) {
      return new Options(faults, lockTimeout, nanoClock, flashNotPresent, Optional.of(file));
    }
  }

  private final Options options;
  private final DeviceState state;
  private final UpdateStateMachine updates;
  private final PldmFirmwareDevice pldm;
  private final ControlRegisters controls;
  private final RegisterDispatcher dispatcher;
  private final FlashGateway gateway;
  private final Recording.Recorder recorder;
  private final DirectoryLock lock;
  private final AtomicInteger clientIds = new AtomicInteger(1);
  private boolean dead;

  private EmulatedDevice(
      DeviceState state, Options options, Recording.Recorder recorder, DirectoryLock lock) {
    this.state = state;
    this.options = options;
    this.recorder = recorder;
    this.lock = lock;
    // One update path at a time: each refuses while the other is in use.
    this.updates =
        new UpdateStateMachine(
            state, options.nanoClock(), options.lockTimeout(), this::pldmInUpdateMode);
    this.pldm =
        new PldmFirmwareDevice(
            state, () -> !this.updates.idle(), options.nanoClock(), options.lockTimeout());
    this.controls = new ControlRegisters(state, updates, this::boot);
    this.dispatcher = new RegisterDispatcher(state, updates, controls, options.nanoClock());
    this.gateway = new FlashGateway(state);
  }

  /** The MCC path's view of the other update path (a method: the field is set after it). */
  private boolean pldmInUpdateMode() {
    return pldm.inUpdateMode();
  }

  // ---------------------------------------------------------------------------------------------
  // Creation and power-on

  /**
   * Creates a device directory from a first image ({@code kiln device init}). The image goes to
   * slot 0 and is what the device trusts and refuses from then on (its PUBLIC_KEYS and
   * FORBIDDEN_VERSIONS sections). The image must be for this device (HW id and PSID), signed by one
   * of its own keys, and secure FW.
   *
   * @throws IOException when the directory is not empty or cannot be written
   * @throws ImageFormatException when the image is not an FS4 image
   * @throws IllegalArgumentException naming the reason when the image does not fit this device
   */
  public static void create(Path dir, DeviceIdentity identity, byte[] image) throws IOException {
    if (image.length > identity.flashSize() / 2) {
      throw new IllegalArgumentException(
          "image of "
              + image.length
              + " bytes does not fit a slot of "
              + identity.flashSize() / 2
              + " bytes (flash "
              + identity.flashSize()
              + ")");
    }
    ImageFacts facts = ImageFacts.read(ByteBuffer.wrap(image.clone()), "image");
    SecureBootPolicy.Verdict verdict =
        SecureBootPolicy.check(
            facts,
            new SecureBootPolicy.DeviceFacts(
                identity.type().hwId(), identity.psid(), facts.trust(), ForbiddenVersions.NONE,
                0));
    if (!verdict.accepted()) {
      throw new IllegalArgumentException(
          "image cannot be a first image of this device: " + verdict.reason());
    }
    Files.createDirectories(dir);
    try (var entries = Files.list(dir)) {
      if (entries.findAny().isPresent()) {
        throw new IOException(dir + " is not empty; a device directory is created empty");
      }
    }
    Path flashFile = dir.resolve(FLASH_FILE);
    Flash.create(flashFile, identity.flashSize());
    try (Flash created = Flash.open(flashFile, identity.type().nativeFormat().magic())) {
      created.write(0, 0, image, 0, image.length);
      // The image's device data (DTOC, DEV_INFO, MFG_INFO...) goes to the end of the flash, where
      // a real adapter keeps it and mstflint looks for it on a flash (DeviceDataArea).
      DeviceDataArea.Placement deviceData = DeviceDataArea.of(image, identity.flashSize());
      if (deviceData != null) {
        created.writeAbsolute(deviceData.flashAddress(), deviceData.bytes());
      }
      created.force();
    }
    TrustAnchor.write(dir, facts);
    NvState.initial(0, image.length).withEfuse(facts.securityVersion()).store(dir);
    // The identity file goes last: a directory without it is not a device, so a crash during
    // init never leaves a half-made device that opens.
    identity.store(dir);
  }

  /** Powers on the device in {@code dir} with default options. */
  public static EmulatedDevice open(Path dir) throws IOException {
    return open(dir, Options.defaults());
  }

  /**
   * Powers on the device in {@code dir}: runs the boot ROM (choose a valid slot, repair a half
   * finished switch, or fall into recovery) and starts with an idle state machine.
   */
  public static EmulatedDevice open(Path dir, Options options) throws IOException {
    DeviceIdentity identity = DeviceIdentity.load(dir);
    DirectoryLock lock = DirectoryLock.acquire(dir);
    DeviceState state;
    Recording.Recorder recorder = null;
    try {
      NvState nv = NvState.load(dir);
      UserTimestamps timestamps = UserTimestamps.load(dir);
      Flash flash =
          Flash.open(dir.resolve(FLASH_FILE), identity.type().nativeFormat().magic());
      if (flash.size() != identity.flashSize()) {
        flash.close();
        throw new IOException(
            dir + ": flash file is " + flash.size() + " bytes, identity says "
                + identity.flashSize());
      }
      state = new DeviceState(dir, identity, flash, nv, timestamps, options.faults());
      if (options.recordTo().isPresent()) {
        recorder = Recording.Recorder.create(options.recordTo().get());
      }
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    EmulatedDevice device = new EmulatedDevice(state, options, recorder, lock);
    try {
      device.boot();
    } catch (IOException | RuntimeException e) {
      // Includes a power loss injected during boot: the device is off again.
      device.dead = true;
      device.closeQuietly();
      throw e;
    }
    return device;
  }

  /** Power-on and every reset: volatile state cleared, then the boot ROM picks the image. */
  private void boot() throws IOException {
    updates.reset();
    pldm.reset();
    controls.reset();
    dispatcher.reset();
    BootRom.boot(state, options.flashNotPresent(), options.nanoClock().getAsLong());
  }

  // ---------------------------------------------------------------------------------------------
  // Public surface

  /** A transport for one more client (its own identity for handle ownership). */
  public RegisterTransport client() {
    int id = clientIds.incrementAndGet();
    return new RegisterTransport() {
      @Override
      public byte[] exchange(byte[] request) throws TransportException {
        return EmulatedDevice.this.exchange(id, request);
      }

      @Override
      public String describe() {
        return EmulatedDevice.this.describe() + " client " + id;
      }

      @Override
      public void close() {}
    };
  }

  /** A fresh client id (the daemon gives one to each connection). */
  public int newClientId() {
    return clientIds.incrementAndGet();
  }

  /**
   * Ends the update session {@code clientId} holds, if it holds one, as CANCEL then RELEASE would
   * (the download is discarded; an image already activated stays pending): the daemon calls this
   * when a connection ends, so a host that died mid-burn does not keep the handle.
   */
  public synchronized void releaseClient(int clientId) {
    updates.releaseOwner(clientId);
    pldm.releaseOwner(clientId);
  }

  /** One PLDM message as client 1 ({@link PldmEndpoint}). */
  @Override
  public byte[] pldm(byte[] message) throws TransportException {
    return pldm(1, message);
  }

  /**
   * One message on the PLDM firmware-update channel of {@code client} (docs/emulator.md, "PLDM
   * firmware update"): a UA request is answered with the device's response; a UA response to the
   * device's request, or an empty poll, with the device's next request or nothing.
   *
   * @throws TransportException in livefish (no firmware to answer) or after a power loss
   */
  public synchronized byte[] pldm(int client, byte[] message) throws TransportException {
    checkAlive();
    if (state.mode() == DeviceMode.LIVEFISH) {
      throw new TransportException(
          describe() + ": no firmware answers PLDM: the device is in flash recovery (livefish)"
              + " mode");
    }
    try {
      return pldm.exchange(client, message);
    } catch (PowerLossException e) {
      dead = true;
      closeQuietly();
      throw e;
    } catch (IOException e) {
      throw new TransportException(describe() + ": device storage failed: " + e.getMessage(), e);
    }
  }

  /** One transaction as client 1. */
  @Override
  public byte[] exchange(byte[] request) throws TransportException {
    return exchange(1, request);
  }

  /**
   * One transaction as {@code client}.
   *
   * @throws TransportException in livefish (no register access at all) or after a power loss
   */
  public synchronized byte[] exchange(int client, byte[] request) throws TransportException {
    checkAlive();
    if (state.mode() == DeviceMode.LIVEFISH) {
      throw new TransportException(
          describe() + ": ICMD unavailable: the device is in flash recovery (livefish) mode");
    }
    byte[] reply;
    try {
      reply = dispatcher.dispatch(client, request);
    } catch (PowerLossException e) {
      dead = true;
      closeQuietly();
      throw e;
    } catch (IOException e) {
      throw new TransportException(describe() + ": device storage failed: " + e.getMessage(), e);
    }
    if (recorder != null) {
      try {
        recorder.record(client, request, reply);
      } catch (IOException e) {
        throw new TransportException(describe() + ": recording failed: " + e.getMessage(), e);
      }
    }
    return reply;
  }

  /** What a host sees without registers (PCI ids); works in every mode. */
  public synchronized Identification identify() {
    checkAliveUnchecked();
    DeviceIdentity identity = state.identity();
    ImageFacts running = state.running();
    return new Identification(
        state.mode(),
        state.mode() == DeviceMode.LIVEFISH
            ? identity.type().hwId()
            : identity.type().pciDeviceId(),
        identity.type().hwId(),
        identity.psid(),
        running == null ? "" : running.version().toString());
  }

  /**
   * Power cycle: the running image stops, the boot ROM runs again (a pending image becomes the
   * running one).
   */
  public synchronized void powerCycle() throws IOException {
    checkAliveUnchecked();
    try {
      boot();
    } catch (PowerLossException e) {
      dead = true;
      closeQuietly();
      throw e;
    }
  }

  /**
   * Raw flash write through the flash gateway. Only a device in recovery (livefish) lets the host
   * at its flash; secure FW blocks the gateway.
   *
   * @throws TransportException when the gateway is blocked or the range is outside the flash
   */
  public synchronized void gatewayWrite(long address, byte[] data) throws TransportException {
    checkAlive();
    try {
      gateway.write(address, data);
    } catch (FlashGateway.Refused e) {
      throw new TransportException(describe() + ": " + e.getMessage());
    }
  }

  /** Raw flash read through the flash gateway (livefish only). */
  public synchronized byte[] gatewayRead(long address, int length) throws TransportException {
    checkAlive();
    try {
      return gateway.read(address, length);
    } catch (FlashGateway.Refused e) {
      throw new TransportException(describe() + ": " + e.getMessage());
    }
  }

  /**
   * Declares the image a recovery burn wrote at the start of {@code slot} (its size), as the
   * legacy tool's boot-address update does; the next power cycle boots it if it is valid. Also
   * clears the HW access key lock (the secure-FW rules' lost-key recovery procedure).
   */
  public synchronized void gatewaySetImage(int slot, int size) throws TransportException {
    checkAlive();
    try {
      gateway.setImage(slot, size);
    } catch (FlashGateway.Refused e) {
      throw new TransportException(describe() + ": " + e.getMessage());
    } catch (IOException e) {
      throw new TransportException(describe() + ": device storage failed: " + e.getMessage(), e);
    }
  }

  public synchronized DeviceMode mode() {
    return state.mode();
  }

  /** The running FW version, empty in livefish. */
  public synchronized Optional<FwVersion> runningVersion() {
    return Optional.ofNullable(state.running()).map(ImageFacts::version);
  }

  /** The activated-but-not-running FW version, if any. */
  public synchronized Optional<FwVersion> pendingVersion() {
    return Optional.ofNullable(state.pending()).map(ImageFacts::version);
  }

  /** The slot the running image came from (-1 in livefish). */
  public synchronized int runningSlot() {
    return state.runningSlot();
  }

  public synchronized FsmState fsmState() {
    return updates.fsm();
  }

  public synchronized NvState nvState() {
    return state.nv();
  }

  public DeviceIdentity identity() {
    return state.identity();
  }

  public Path directory() {
    return state.dir();
  }

  @Override
  public String describe() {
    return "emulated " + state.identity().type().cliName() + " at " + state.dir();
  }

  @Override
  public synchronized void close() {
    if (!dead) {
      dead = true;
      closeQuietly();
    }
  }

  private void closeQuietly() {
    try {
      state.flash().close();
    } catch (IOException e) {
      // Nothing to save: every fail-safe step already forced its writes.
    }
    try {
      lock.close();
    } catch (IOException e) {
      // The OS drops the lock with the process anyway.
    }
    if (recorder != null) {
      try {
        recorder.close();
      } catch (IOException e) {
        // The recording keeps every complete record written so far.
      }
    }
  }

  private void checkAlive() throws TransportException {
    if (dead) {
      throw new TransportException(describe() + ": the device is powered off");
    }
  }

  private void checkAliveUnchecked() {
    if (dead) {
      throw new IllegalStateException(describe() + ": the device is powered off");
    }
  }
}
