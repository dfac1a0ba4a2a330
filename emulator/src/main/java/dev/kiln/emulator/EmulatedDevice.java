package dev.kiln.emulator;

import dev.kiln.emulator.internal.AtomicFiles;
import dev.kiln.emulator.internal.DirectoryLock;
import dev.kiln.emulator.internal.Flash;
import dev.kiln.emulator.internal.ImageFacts;
import dev.kiln.emulator.internal.NvConfig;
import dev.kiln.emulator.internal.QueryRegisters;
import dev.kiln.emulator.internal.SecureBootPolicy;
import dev.kiln.emulator.internal.TrustAnchor;
import dev.kiln.inspector.ImageFormatException;
import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.ComponentUpdateState;
import dev.kiln.registers.FsmState;
import dev.kiln.registers.Mcam;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.MccErrorCode;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.Mcda;
import dev.kiln.registers.Mcqi;
import dev.kiln.registers.Mcqs;
import dev.kiln.registers.Mfrl;
import dev.kiln.registers.Mirc;
import dev.kiln.registers.MircStatus;
import dev.kiln.registers.Mlock;
import dev.kiln.registers.Mnvda;
import dev.kiln.registers.Mqis;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterFormatException;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import dev.kiln.signer.fs4.TrustStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
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
 * <p>Thread-safe: every transaction runs under the device lock, one at a time.
 */
public final class EmulatedDevice implements RegisterTransport {

  /** Flash file name in the device directory. */
  public static final String FLASH_FILE = "flash.bin";
  /** Policy sections of the last image that booted: what a device in recovery trusts. */
  public static final String TRUST_ANCHOR_FILE = TrustAnchor.FILE;
  /** The installed CS token. */
  public static final String CS_TOKEN_FILE = "cs-token.bin";
  /** MCQS index of the boot image component. */
  public static final int INDEX_BOOT_IMG = QueryRegisters.INDEX_BOOT_IMG;
  /** MCQS index of the CS token component. */
  public static final int INDEX_CS_TOKEN = QueryRegisters.INDEX_CS_TOKEN;
  /** The 16-byte fingerprint a configuration (token) file starts with (protocol doc §6.1). */
  public static final byte[] CONFIG_FINGERPRINT =
      "MLNX.CONFIG.BIN!".getBytes(StandardCharsets.US_ASCII);
  /** Largest CS token accepted. */
  public static final int MAX_TOKEN_SIZE = 64 * 1024;
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

  private final Path dir;
  private final DeviceIdentity identity;
  private final Options options;
  private final Flash flash;
  private final Recording.Recorder recorder;
  private final DirectoryLock lock;
  private final AtomicInteger clientIds = new AtomicInteger(1);

  private NvState nv;
  private DeviceMode mode;
  private int runningSlot = -1;
  private ImageFacts running;
  private ImageFacts pending;
  private long bootNanos;
  private boolean dead;

  // Update state machine (volatile: lost on power loss and reset).
  private FsmState fsm = FsmState.IDLE;
  private int handle;
  private int owner;
  private long lastCommandNanos;
  private int sessionIndex;
  private long sessionSize;
  private byte[] download;
  private int nextOffset;
  private boolean verified;
  private MccErrorCode lastError = MccErrorCode.OK;
  private ComponentUpdateState sessionState = ComponentUpdateState.IDLE;
  private int uploadSlot;
  private int uploadSize;
  private byte[] lastRejectedRequest;
  private byte[] lastRejectedReply;
  private int lastRejectedClient;
  private MircStatus mircStatus = MircStatus.SUCCESS;

  private EmulatedDevice(
      Path dir, DeviceIdentity identity, Options options, Flash flash, NvState nv,
      Recording.Recorder recorder, DirectoryLock lock) {
    this.dir = dir;
    this.identity = identity;
    this.options = options;
    this.flash = flash;
    this.nv = nv;
    this.recorder = recorder;
    this.lock = lock;
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
    try (Flash created = Flash.open(flashFile)) {
      created.write(0, 0, image, 0, image.length);
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
    NvState nv;
    Flash flash;
    Recording.Recorder recorder = null;
    try {
      nv = NvState.load(dir);
      flash = Flash.open(dir.resolve(FLASH_FILE));
      if (flash.size() != identity.flashSize()) {
        flash.close();
        throw new IOException(
            dir + ": flash file is " + flash.size() + " bytes, identity says "
                + identity.flashSize());
      }
      if (options.recordTo().isPresent()) {
        recorder = Recording.Recorder.create(options.recordTo().get());
      }
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    EmulatedDevice device =
        new EmulatedDevice(dir, identity, options, flash, nv, recorder, lock);
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

  /** The boot ROM: picks the image to run. Also what a reset does. */
  private void boot() throws IOException {
    resetFsm();
    bootNanos = options.nanoClock().getAsLong();
    pending = null;
    running = null;
    runningSlot = -1;
    TrustStore anchor = TrustAnchor.read(dir);
    int first = nv.bootSlot();
    int second = 1 - first;
    ImageFacts chosen = null;
    int chosenSlot = -1;
    if (!options.flashNotPresent()) {
      chosen = bootable(first, anchor);
      chosenSlot = first;
      if (chosen == null) {
        chosen = bootable(second, anchor);
        chosenSlot = second;
      }
    }
    if (chosen == null) {
      mode = DeviceMode.LIVEFISH;
      nv = nv.withBootCount(nv.bootCount() + 1);
      nv.store(dir);
      return;
    }
    int other = 1 - chosenSlot;
    if (flash.hasMagic(other)) {
      // Both slots carry the magic: a switch (activation or reactivation) was cut between
      // "new magic written" and "old magic invalidated". Finish it in the direction the boot
      // pointer decided, so exactly one valid image remains.
      options.faults().reached(FaultPoint.BOOT_REPAIR);
      flash.invalidate(other);
      flash.force();
    }
    mode = DeviceMode.SECURE_FW;
    runningSlot = chosenSlot;
    running = chosen;
    NvState next = nv.withBootSlot(chosenSlot).withBootCount(nv.bootCount() + 1);
    if (chosen.securityVersion() > next.efuseSecurityVersion()) {
      // eFuses programmed automatically (MFSV efuses_prog_method = 1) once the image runs.
      next = next.withEfuse(chosen.securityVersion());
    }
    nv = next;
    nv.store(dir);
    TrustAnchor.write(dir, chosen);
  }

  /**
   * The facts of a slot's image when the boot ROM would run it: magic present, a recorded size,
   * parses as FS4 with IMAGE_INFO, made for this device, and signed by a key of the trust anchor.
   */
  private ImageFacts bootable(int slot, TrustStore anchor) {
    int size = nv.slotSize(slot);
    if (size <= 0 || size > flash.slotSize() || !flash.hasMagic(slot)) {
      return null;
    }
    try {
      ImageFacts facts = ImageFacts.read(flash.view(slot, size), "slot " + slot);
      if (!bootChecks(facts, anchor)) {
        return null;
      }
      return facts;
    } catch (ImageFormatException | RuntimeException e) {
      return null;
    }
  }

  private boolean bootChecks(ImageFacts facts, TrustStore anchor) {
    return facts.info().isPresent()
        && facts.supportsHwId(identity.type().hwId())
        && facts.psid().equals(identity.psid())
        && (anchor.isEmpty() || SecureBootPolicy.checkSignature(facts, anchor).accepted());
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
    if (fsm != FsmState.IDLE && owner == clientId) {
      endSession();
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
    if (mode == DeviceMode.LIVEFISH) {
      throw new TransportException(
          describe() + ": ICMD unavailable: the device is in flash recovery (livefish) mode");
    }
    byte[] reply;
    try {
      reply = dispatch(client, request);
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
    return new Identification(
        mode,
        mode == DeviceMode.LIVEFISH ? identity.type().hwId() : identity.type().pciDeviceId(),
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
    checkGateway(address, data.length);
    flash.writeAbsolute(address, data);
    flash.force();
    options.faults().reached(FaultPoint.GATEWAY_WRITE);
  }

  /** Raw flash read through the flash gateway (livefish only). */
  public synchronized byte[] gatewayRead(long address, int length) throws TransportException {
    checkAlive();
    checkGateway(address, length);
    return flash.readAbsolute(address, length);
  }

  /**
   * Declares the image a recovery burn wrote at the start of {@code slot} (its size), as the
   * legacy tool's boot-address update does; the next power cycle boots it if it is valid. Also
   * clears the HW access key lock (the secure-FW rules' lost-key recovery procedure).
   */
  public synchronized void gatewaySetImage(int slot, int size) throws TransportException {
    checkAlive();
    if (mode != DeviceMode.LIVEFISH) {
      throw new TransportException(describe() + ": Flash GW is blocked (secure FW)");
    }
    if ((slot != 0 && slot != 1) || size <= 0 || size > flash.slotSize()) {
      throw new TransportException(describe() + ": bad slot " + slot + " or size " + size);
    }
    try {
      // The documented lost-key procedure (jumper, re-burn, reboot, set the key again) implies
      // the re-burn clears the HW access key: so does the recovery burn here.
      nv = nv.withSlotSize(slot, size).withBootSlot(slot).withHwAccess(false, "");
      nv.store(dir);
    } catch (IOException e) {
      throw new TransportException(describe() + ": device storage failed: " + e.getMessage(), e);
    }
  }

  private void checkGateway(long address, int length) throws TransportException {
    if (mode != DeviceMode.LIVEFISH) {
      throw new TransportException(describe() + ": Flash GW is blocked (secure FW)");
    }
    if (address < 0 || length < 0 || address + length > flash.size()) {
      throw new TransportException(
          describe() + ": flash range 0x" + Long.toHexString(address) + "+" + length
              + " is outside the " + flash.size() + "-byte flash");
    }
  }

  public synchronized DeviceMode mode() {
    return mode;
  }

  /** The running FW version, empty in livefish. */
  public synchronized Optional<FwVersion> runningVersion() {
    return running == null ? Optional.empty() : Optional.of(running.version());
  }

  /** The activated-but-not-running FW version, if any. */
  public synchronized Optional<FwVersion> pendingVersion() {
    return pending == null ? Optional.empty() : Optional.of(pending.version());
  }

  /** The slot the running image came from (-1 in livefish). */
  public synchronized int runningSlot() {
    return runningSlot;
  }

  public synchronized FsmState fsmState() {
    return fsm;
  }

  public synchronized NvState nvState() {
    return nv;
  }

  public DeviceIdentity identity() {
    return identity;
  }

  public Path directory() {
    return dir;
  }

  @Override
  public String describe() {
    return "emulated " + identity.type().cliName() + " at " + dir;
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
      flash.close();
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

  private long uptimeSeconds() {
    return (options.nanoClock().getAsLong() - bootNanos) / 1_000_000_000L;
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

  // ---------------------------------------------------------------------------------------------
  // Register dispatch

  private byte[] dispatch(int client, byte[] request) throws IOException {
    RegisterEnvelope envelope;
    try {
      envelope = RegisterEnvelope.decode(request);
    } catch (RegisterFormatException e) {
      return RegisterEnvelope.rejectRaw(request, e.suggestedStatus());
    }
    if (envelope.response()) {
      return envelope.reply(RegisterStatus.BAD_PARAM, envelope.payload()).encode();
    }
    if (envelope.registerClass() != RegisterEnvelope.CLASS_REGISTER_ACCESS) {
      return envelope.reply(RegisterStatus.CLASS_NOT_SUPP, envelope.payload()).encode();
    }
    RegisterMethod method = envelope.method();
    if (method == null) {
      return envelope.reply(RegisterStatus.METHOD_NOT_SUPP, envelope.payload()).encode();
    }
    AccessRegister register = envelope.register();
    if (register == null) {
      return envelope.reply(RegisterStatus.REG_NOT_SUPP, envelope.payload()).encode();
    }
    byte[] payload = envelope.payload();
    if (register.size() > 0 && payload.length < register.size()) {
      return envelope.reply(RegisterStatus.LEN_TOO_SMALL, payload).encode();
    }
    // The duplicate of a just-rejected SET (mstflint's SMP fallback resend, protocol doc §1.3)
    // gets the same reply again, not a fresh "illegal in this state" error.
    if (lastRejectedRequest != null
        && lastRejectedClient == client
        && Arrays.equals(lastRejectedRequest, request)) {
      return lastRejectedReply.clone();
    }
    lastRejectedRequest = null;
    Reply reply;
    try {
      reply = handle(client, register, method, payload);
    } catch (RegisterFormatException e) {
      reply = new Reply(e.suggestedStatus(), payload);
    }
    byte[] out = envelope.reply(reply.status, fit(reply.payload, payload.length)).encode();
    if (reply.status != RegisterStatus.OK && method == RegisterMethod.SET) {
      lastRejectedRequest = request.clone();
      lastRejectedReply = out.clone();
      lastRejectedClient = client;
    }
    return out;
  }

  /** A reply payload is as long as the request's: the device writes into the same mailbox. */
  private static byte[] fit(byte[] reply, int length) {
    return reply.length == length ? reply : Arrays.copyOf(reply, length);
  }

  private record Reply(RegisterStatus status, byte[] payload) {}

  private static Reply ok(byte[] payload) {
    return new Reply(RegisterStatus.OK, payload);
  }

  private Reply handle(int client, AccessRegister register, RegisterMethod method, byte[] payload)
      throws IOException, RegisterFormatException {
    boolean get = method == RegisterMethod.GET;
    // HW access disabled (MLOCK): no SET but MLOCK itself and a FW reset is let through.
    if (!get
        && nv.hwAccessDisabled()
        && register != AccessRegister.MLOCK
        && register != AccessRegister.MFRL) {
      return new Reply(RegisterStatus.METHOD_NOT_SUPP, payload);
    }
    switch (register) {
      case MGIR:
        return get
            ? ok(QueryRegisters.mgir(identity, running, nv.lifeCycle(), uptimeSeconds()).encode())
            : new Reply(RegisterStatus.METHOD_NOT_SUPP, payload);
      case MCAM:
        return get
            ? ok(QueryRegisters.mcam(Mcam.decode(payload)).encode())
            : new Reply(RegisterStatus.METHOD_NOT_SUPP, payload);
      case MCQS:
        return get
            ? mcqs(Mcqs.decode(payload))
            : new Reply(RegisterStatus.METHOD_NOT_SUPP, payload);
      case MCQI:
        return get
            ? mcqi(Mcqi.decode(payload))
            : new Reply(RegisterStatus.METHOD_NOT_SUPP, payload);
      case MQIS:
        return get
            ? ok(QueryRegisters.mqis(Mqis.decode(payload), running).encode())
            : new Reply(RegisterStatus.METHOD_NOT_SUPP, payload);
      case MCC:
        return mcc(client, get, Mcc.decode(payload));
      case MCDA:
        return mcda(client, get, Mcda.decode(payload));
      case MFRL:
        return mfrl(get, Mfrl.decode(payload));
      case MIRC:
        return mirc(get, payload);
      case MFSV:
        return get
            ? ok(QueryRegisters.mfsv(running, nv.efuseSecurityVersion()).encode())
            : new Reply(RegisterStatus.METHOD_NOT_SUPP, payload);
      case MLOCK:
        return mlock(get, Mlock.decode(payload));
      case MNVDA:
        return mnvda(get, Mnvda.decode(payload));
      case MFPA:
      case MFBA:
      case MFBE:
      case MFMC:
        // Raw flash access through the FW: blocked on secure FW (protocol doc §7, "blocked:
        // MFBA"). This covers direct flash read/write/erase, ROM burn/removal and setting
        // MFG/VSD/VPD, which all go through these registers.
        return new Reply(RegisterStatus.METHOD_NOT_SUPP, payload);
      default:
        return new Reply(RegisterStatus.REG_NOT_SUPP, payload);
    }
  }

  /**
   * MNVDA: the NV_BASE_MAC_GUID TLV, read and written through the firmware (flint's {@code sg} on
   * a controlled-update device; a secure device blocks the raw flash route). Other TLVs are not
   * modelled and answer BAD_PARAM. A new value is stored durably at once and is what later reads
   * return; like the real NV configuration it is meant to take effect at the next reset.
   */
  private Reply mnvda(boolean get, Mnvda request) throws IOException {
    if (!request.isBaseMacGuid()) {
      return new Reply(RegisterStatus.BAD_PARAM, request.encode());
    }
    if (get) {
      long[] current = NvConfig.baseMacGuid(dir, identity.baseMac());
      return ok(Mnvda.baseMacGuid(current[0], current[1]).encode());
    }
    long mac = request.mac();
    long guid = request.guid();
    // A base MAC must be a unicast address and neither value may be all zeros or all ones.
    if (mac == 0 || mac == 0xFFFF_FFFF_FFFFL || (mac & (1L << 40)) != 0 || guid == 0 || guid == -1) {
      return new Reply(RegisterStatus.BAD_PARAM, request.encode());
    }
    NvConfig.storeBaseMacGuid(dir, mac, guid);
    return ok(request.encode());
  }

  // ---------------------------------------------------------------------------------------------
  // Query registers (answers built by QueryRegisters)

  private Reply mcqs(Mcqs request) {
    boolean locked = fsm != FsmState.IDLE;
    return QueryRegisters.mcqs(
            request, componentUpdateState(request.componentIndex()), nv.csToken(), locked)
        .map(reply -> ok(reply.encode()))
        .orElseGet(() -> new Reply(RegisterStatus.BAD_PARAM, request.encode()));
  }

  private ComponentUpdateState componentUpdateState(int index) {
    if (fsm != FsmState.IDLE && sessionIndex == index) {
      return sessionState;
    }
    if (index == INDEX_BOOT_IMG && pending != null) {
      return ComponentUpdateState.ACTIVE_PENDING_RESET;
    }
    return ComponentUpdateState.IDLE;
  }

  private Reply mcqi(Mcqi request) throws IOException {
    Path token = dir.resolve(CS_TOKEN_FILE);
    long tokenSize = nv.csToken() && Files.exists(token) ? Files.size(token) : 0;
    return QueryRegisters.mcqi(
            request, running, pending, flash.slotSize(), tokenSize, MAX_TOKEN_SIZE)
        .map(reply -> ok(reply.encode()))
        .orElseGet(() -> new Reply(RegisterStatus.BAD_PARAM, request.encode()));
  }

  // ---------------------------------------------------------------------------------------------
  // MCC: the update state machine (protocol doc §2.3)

  private Reply mcc(int client, boolean get, Mcc request) throws IOException {
    long now = options.nanoClock().getAsLong();
    expireIdleLock(now);
    boolean isOwner = fsm != FsmState.IDLE && client == owner;
    if (get) {
      // QUERY. The owner polling through INITIALIZE sees the erase finish.
      if (isOwner && fsm == FsmState.INITIALIZE) {
        fsm = FsmState.DOWNLOAD;
      }
      return ok(status(request, client, now));
    }
    MccInstruction instruction = request.instructionCode();
    if (instruction == null || instruction == MccInstruction.QUERY) {
      return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
    if (instruction == MccInstruction.FORCE_HANDLE_RELEASE) {
      // Frees the handle whoever holds it (protocol doc §2.4).
      endSession();
      lastError = MccErrorCode.OK;
      return ok(status(request, client, now));
    }
    if (fsm == FsmState.IDLE) {
      if (instruction != MccInstruction.LOCK_UPDATE_HANDLE) {
        return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
      }
      if (request.updateHandle() != nv.nextHandle()) {
        return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
      }
      handle = nv.nextHandle();
      owner = client;
      fsm = FsmState.LOCKED;
      lastCommandNanos = now;
      lastError = MccErrorCode.OK;
      sessionState = ComponentUpdateState.IDLE;
      // The next lock gets another handle, also after a power loss.
      nv = nv.withNextHandle(handle % 0xFFFFFF + 1);
      nv.store(dir);
      return ok(status(request, client, now));
    }
    if (client != owner) {
      // The handle belongs to another client: "a lock held by one client refuses another".
      return reject(request, client, now, RegisterStatus.DEV_BUSY, MccErrorCode.ERROR);
    }
    if (request.updateHandle() != handle) {
      return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
    lastCommandNanos = now;
    lastError = MccErrorCode.OK;
    switch (instruction) {
      case RELEASE_UPDATE_HANDLE:
        if (fsm != FsmState.LOCKED && fsm != FsmState.UPLOAD) {
          return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
        }
        endSession();
        return ok(status(request, client, now));
      case CANCEL:
        discardSession(ComponentUpdateState.CANCELED);
        fsm = FsmState.LOCKED;
        return ok(status(request, client, now));
      case CHECK_UPDATE_HANDLE:
        return ok(status(request, client, now));
      case UPDATE_COMPONENT:
        return update(request, client, now);
      case VERIFY_COMPONENT:
        return verify(request, client, now);
      case ACTIVATE:
        return activate(request, client, now);
      case READ_COMPONENT:
      case READ_PENDING_COMPONENT:
        return read(request, client, now, instruction == MccInstruction.READ_PENDING_COMPONENT);
      default:
        // ACTIVATE_COMPONENT, DOWNSTREAM_DEVICE_TRANSFER: not offered by this device.
        return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
  }

  private Reply update(Mcc request, int client, long now) {
    if (fsm != FsmState.LOCKED) {
      return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
    int index = request.componentIndex();
    long size = request.componentSize();
    if (index != INDEX_BOOT_IMG && index != INDEX_CS_TOKEN) {
      return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
    if (index == INDEX_BOOT_IMG && pending != null) {
      // The inactive slot still holds the running image's successor; a new burn must wait for
      // the reset (or MIRC).
      return reject(
          request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.BLOCKED_PENDING_RESET);
    }
    long max = index == INDEX_BOOT_IMG ? flash.slotSize() : MAX_TOKEN_SIZE;
    if (size <= 0 || size > max) {
      return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
    verified = false;
    sessionIndex = index;
    sessionSize = size;
    download = new byte[(int) size];
    nextOffset = 0;
    sessionState = ComponentUpdateState.IN_PROGRESS;
    fsm = FsmState.INITIALIZE;
    return ok(status(request, client, now));
  }

  private Reply verify(Mcc request, int client, long now) throws IOException {
    if (fsm != FsmState.DOWNLOAD) {
      return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
    if (nextOffset != sessionSize) {
      return failVerify(request, client, now, MccErrorCode.ERROR);
    }
    if (sessionIndex == INDEX_CS_TOKEN) {
      if (!startsWith(download, CONFIG_FINGERPRINT)) {
        return failVerify(request, client, now, MccErrorCode.REJECTED_BAD_FORMAT);
      }
      verified = true;
      sessionState = ComponentUpdateState.APPLIED;
      fsm = FsmState.LOCKED;
      return ok(status(request, client, now));
    }
    // Rebuild the image: the host sends the magic as 0xFF (protocol doc §2.6 step 11).
    System.arraycopy(Flash.MAGIC, 0, download, 0, Flash.MAGIC.length);
    ImageFacts candidate;
    try {
      candidate = ImageFacts.read(ByteBuffer.wrap(download), "component");
    } catch (ImageFormatException | RuntimeException e) {
      return failVerify(request, client, now, MccErrorCode.REJECTED_BAD_FORMAT);
    }
    SecureBootPolicy.Verdict verdict =
        SecureBootPolicy.check(
            candidate,
            new SecureBootPolicy.DeviceFacts(
                identity.type().hwId(),
                identity.psid(),
                running.trust(),
                running.forbidden(),
                nv.efuseSecurityVersion()));
    if (!verdict.accepted()) {
      return failVerify(request, client, now, verdict.error());
    }
    // Accepted: write it to the inactive slot, without its magic, so it cannot boot before
    // ACTIVATE. The body is flushed before NV records its size.
    int slot = 1 - runningSlot;
    byte[] erased = new byte[Flash.MAGIC.length];
    Arrays.fill(erased, (byte) 0xFF);
    flash.write(slot, 0, erased, 0, erased.length);
    int half = download.length / 2;
    flash.write(slot, erased.length, download, erased.length, half - erased.length);
    options.faults().reached(FaultPoint.VERIFY_SLOT_HALF_WRITTEN);
    flash.write(slot, half, download, half, download.length - half);
    flash.force();
    options.faults().reached(FaultPoint.VERIFY_SLOT_WRITTEN);
    nv = nv.withSlotSize(slot, download.length);
    nv.store(dir);
    download = null;
    verified = true;
    sessionState = ComponentUpdateState.APPLIED;
    fsm = FsmState.LOCKED;
    return ok(status(request, client, now));
  }

  private Reply failVerify(Mcc request, int client, long now, MccErrorCode error) {
    // A rejected component changes nothing on flash or in NV: it only ever lived in RAM.
    download = null;
    verified = false;
    sessionState = ComponentUpdateState.FAILED;
    fsm = FsmState.LOCKED;
    return reject(request, client, now, RegisterStatus.BAD_PARAM, error);
  }

  private Reply activate(Mcc request, int client, long now) throws IOException {
    if (fsm != FsmState.LOCKED || !verified) {
      return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
    if (sessionIndex == INDEX_CS_TOKEN) {
      // The token bytes are still in RAM; store them, then flag them in NV.
      AtomicFiles.write(dir.resolve(CS_TOKEN_FILE), download);
      nv = nv.withCsToken(true);
      nv.store(dir);
      download = null;
      verified = false;
      sessionState = ComponentUpdateState.ACTIVE;
      return ok(status(request, client, now));
    }
    int newSlot = 1 - runningSlot;
    switchBootSlot(newSlot, runningSlot, FaultPoint.ACTIVATE_MAGIC_WRITTEN,
        FaultPoint.ACTIVATE_POINTER_SWITCHED);
    options.faults().reached(FaultPoint.ACTIVATE_OLD_INVALIDATED);
    pending = ImageFacts.read(flash.view(newSlot, nv.slotSize(newSlot)), "slot " + newSlot);
    verified = false;
    sessionState = ComponentUpdateState.ACTIVE_PENDING_RESET;
    return ok(status(request, client, now));
  }

  /**
   * The fail-safe switch of the boot image, in the order of protocol doc §5.2: (1) the new slot
   * gets its magic, flushed; both slots are now bootable. (2) NV names the new slot, atomically.
   * (3) the old slot's magic is invalidated, flushed. A power loss after (1) boots the old image
   * and the boot ROM drops the new magic; after (2) it boots the new one and drops the old magic.
   */
  private void switchBootSlot(int to, int from, FaultPoint afterMagic, FaultPoint afterPointer)
      throws IOException {
    flash.writeMagic(to);
    flash.force();
    options.faults().reached(afterMagic);
    nv = nv.withBootSlot(to);
    nv.store(dir);
    options.faults().reached(afterPointer);
    flash.invalidate(from);
    flash.force();
  }

  private Reply read(Mcc request, int client, long now, boolean pendingImage) {
    if (fsm != FsmState.LOCKED || request.componentIndex() != INDEX_BOOT_IMG) {
      return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
    if (pendingImage && pending == null) {
      return reject(request, client, now, RegisterStatus.BAD_PARAM, MccErrorCode.ERROR);
    }
    uploadSlot = pendingImage ? nv.bootSlot() : runningSlot;
    uploadSize = pendingImage ? pending.size() : running.size();
    sessionIndex = INDEX_BOOT_IMG;
    sessionSize = uploadSize;
    fsm = FsmState.UPLOAD;
    return ok(status(request, client, now));
  }

  private Reply reject(
      Mcc request, int client, long now, RegisterStatus status, MccErrorCode error) {
    lastError = error;
    return new Reply(status, status(request, client, now));
  }

  /** The MCC reply: the request with the device-written fields filled in. */
  private byte[] status(Mcc request, int client, long now) {
    boolean locked = fsm != FsmState.IDLE;
    int shownHandle = !locked ? nv.nextHandle() : client == owner ? handle : 0;
    int elapsed = locked ? (int) Math.min((now - lastCommandNanos) / 1_000_000_000L, 0xFFF) : 0;
    int progress = 0;
    if (fsm == FsmState.DOWNLOAD && sessionSize > 0) {
      progress = (int) (nextOffset * 100L / sessionSize);
    }
    return new Mcc(
            request.instruction(),
            request.activationDelaySec(),
            elapsed,
            request.componentIndex(),
            shownHandle,
            false,
            fsm.code(),
            lastError == MccErrorCode.UNKNOWN ? 0xFF : lastError.code(),
            progress,
            0,
            locked ? Mcc.OWNER_ICMD : 0,
            locked ? sessionSize : request.componentSize(),
            request.deviceType(),
            request.deviceIndex(),
            request.deviceIndexSize(),
            request.rejectedDeviceIndex())
        .encode();
  }

  private void expireIdleLock(long now) {
    if (fsm != FsmState.IDLE && now - lastCommandNanos > options.lockTimeout().toNanos()) {
      endSession();
    }
  }

  private void endSession() {
    discardSession(ComponentUpdateState.IDLE);
    fsm = FsmState.IDLE;
    owner = 0;
  }

  private void discardSession(ComponentUpdateState state) {
    download = null;
    verified = false;
    nextOffset = 0;
    sessionState = state;
  }

  private void resetFsm() {
    endSession();
    lastError = MccErrorCode.OK;
    lastRejectedRequest = null;
    mircStatus = MircStatus.SUCCESS;
  }

  // ---------------------------------------------------------------------------------------------
  // MCDA: component data (protocol doc §2.7)

  private Reply mcda(int client, boolean get, Mcda request) {
    long now = options.nanoClock().getAsLong();
    expireIdleLock(now);
    if (fsm == FsmState.IDLE || client != owner || request.updateHandle() != handle) {
      return new Reply(RegisterStatus.BAD_PARAM, request.encode());
    }
    lastCommandNanos = now;
    int size = request.size();
    long offset = request.offset();
    if (size <= 0 || size > Mcda.MAX_DATA || offset % 4 != 0 || offset + size > sessionSize) {
      return new Reply(RegisterStatus.BAD_PARAM, request.encode());
    }
    if (!get) {
      if (fsm == FsmState.INITIALIZE) {
        // Still preparing the partition: "not now", the host retries (protocol doc §1.3).
        return new Reply(RegisterStatus.RES_NOT_AVLBL, request.encode());
      }
      if (fsm != FsmState.DOWNLOAD) {
        return new Reply(RegisterStatus.BAD_PARAM, request.encode());
      }
      // Offsets go up strictly in order; only the last chunk may be short.
      if (offset != nextOffset || (size % 4 != 0 && offset + size != sessionSize)) {
        return new Reply(RegisterStatus.BAD_PARAM, request.encode());
      }
      request.copyImageBytes(download, (int) offset);
      nextOffset = (int) (offset + size);
      options.faults().reached(FaultPoint.MCDA_CHUNK);
      return ok(request.encode());
    }
    if (fsm != FsmState.UPLOAD) {
      return new Reply(RegisterStatus.BAD_PARAM, request.encode());
    }
    byte[] bytes = flash.read(uploadSlot, offset, size);
    return ok(Mcda.fromImage(handle, offset, bytes, 0, size).encode());
  }

  // ---------------------------------------------------------------------------------------------
  // Reset, reactivation, HW access key

  private Reply mfrl(boolean get, Mfrl request) throws IOException {
    int supported = Mfrl.LEVEL_0_LIVE_PATCH | Mfrl.LEVEL_3_DRIVER_RESTART;
    if (get) {
      return ok(new Mfrl(supported, 1, 0, 0, false, false).encode());
    }
    int level = request.resetTrigger();
    if (Integer.bitCount(level) != 1 || (level & supported) == 0) {
      return new Reply(RegisterStatus.BAD_PARAM, request.encode());
    }
    // The reset runs right away: pending image -> running, uptime 0, state machine idle.
    boot();
    return ok(request.encode());
  }

  private Reply mirc(boolean get, byte[] payload) throws IOException, RegisterFormatException {
    Mirc.decode(payload);
    if (get) {
      return ok(new Mirc(mircStatus.code()).encode());
    }
    if (fsm != FsmState.IDLE) {
      return new Reply(RegisterStatus.DEV_BUSY, new Mirc(MircStatus.BUSY.code()).encode());
    }
    int target;
    ImageFacts targetFacts;
    if (pending != null) {
      // Cancel the pending image: the running one becomes the boot image again.
      target = runningSlot;
      targetFacts = null;
    } else {
      target = 1 - runningSlot;
      targetFacts = previousImage(target);
      if (targetFacts == null) {
        mircStatus = MircStatus.FW_PROGRAMMING_NEEDED;
        return ok(new Mirc(mircStatus.code()).encode());
      }
    }
    switchBootSlot(target, 1 - target, FaultPoint.REACTIVATE_MAGIC_WRITTEN,
        FaultPoint.REACTIVATE_POINTER_SWITCHED);
    pending =
        target == runningSlot
            ? null
            : ImageFacts.read(flash.view(target, nv.slotSize(target)), "slot " + target);
    mircStatus = MircStatus.SUCCESS;
    return ok(new Mirc(mircStatus.code()).encode());
  }

  /** The image left in a slot by an earlier activation, if it would still boot. */
  private ImageFacts previousImage(int slot) throws IOException {
    int size = nv.slotSize(slot);
    if (size <= 0 || size > flash.slotSize()) {
      return null;
    }
    byte[] copy = flash.read(slot, 0, size);
    System.arraycopy(Flash.MAGIC, 0, copy, 0, Flash.MAGIC.length);
    try {
      ImageFacts facts = ImageFacts.read(ByteBuffer.wrap(copy), "slot " + slot);
      SecureBootPolicy.Verdict verdict =
          SecureBootPolicy.check(
              facts,
              new SecureBootPolicy.DeviceFacts(
                  identity.type().hwId(), identity.psid(), running.trust(),
                  running.forbidden(), nv.efuseSecurityVersion()));
      return verdict.accepted() ? facts : null;
    } catch (ImageFormatException | RuntimeException e) {
      return null;
    }
  }

  private Reply mlock(boolean get, Mlock request) throws IOException {
    if (get) {
      // The key is never read back.
      return ok(new Mlock(nv.hwAccessDisabled() ? Mlock.LOCK : Mlock.UNLOCK, 0).encode());
    }
    String keyHash = keyHash(request.key());
    switch (request.operation()) {
      case Mlock.LOCK -> {
        if (nv.hwAccessDisabled()) {
          return new Reply(RegisterStatus.BAD_PARAM, new Mlock(Mlock.LOCK, 0).encode());
        }
        nv = nv.withHwAccess(true, keyHash);
        nv.store(dir);
        return ok(new Mlock(Mlock.LOCK, 0).encode());
      }
      case Mlock.UNLOCK -> {
        if (!nv.hwAccessDisabled()) {
          return ok(new Mlock(Mlock.UNLOCK, 0).encode());
        }
        if (!MessageDigest.isEqual(
            keyHash.getBytes(StandardCharsets.US_ASCII),
            nv.hwAccessKeyHash().getBytes(StandardCharsets.US_ASCII))) {
          // flint: "The given key is incorrect" for status 0x07.
          return new Reply(RegisterStatus.BAD_PARAM, new Mlock(Mlock.LOCK, 0).encode());
        }
        nv = nv.withHwAccess(false, nv.hwAccessKeyHash());
        nv.store(dir);
        return ok(new Mlock(Mlock.UNLOCK, 0).encode());
      }
      default -> {
        return new Reply(RegisterStatus.BAD_PARAM, new Mlock(0, 0).encode());
      }
    }
  }

  private static String keyHash(long key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(ByteBuffer.allocate(8).putLong(key).array());
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    return data.length >= prefix.length
        && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
  }
}
