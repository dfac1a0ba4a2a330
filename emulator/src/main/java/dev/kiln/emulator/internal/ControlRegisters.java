package dev.kiln.emulator.internal;

import dev.kiln.emulator.FaultPoint;
import dev.kiln.inspector.ImageFormatException;
import dev.kiln.inspector.format.Fs4Magic;
import dev.kiln.registers.Mfrl;
import dev.kiln.registers.Mirc;
import dev.kiln.registers.MircStatus;
import dev.kiln.registers.Mlock;
import dev.kiln.registers.Mnvda;
import dev.kiln.registers.Mvts;
import dev.kiln.registers.RegisterFormatException;
import dev.kiln.registers.RegisterStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The device-control registers outside the update state machine: MFRL (FW reset), MIRC (image
 * reactivation), MLOCK (HW access key), MNVDA (NV base MAC/GUID) and MVTS (user timestamps).
 *
 * <p>Not API; not synchronized: the facade's monitor guards every call.
 */
public final class ControlRegisters {
  /** What a FW reset does: the boot ROM runs again. */
  @FunctionalInterface
  public interface Reboot {
    void reboot() throws IOException;
  }

  private final DeviceState state;
  private final UpdateStateMachine updates;
  private final Reboot reboot;
  private MircStatus mircStatus = MircStatus.SUCCESS;

  public ControlRegisters(DeviceState state, UpdateStateMachine updates, Reboot reboot) {
    this.state = state;
    this.updates = updates;
    this.reboot = reboot;
  }

  /** Forgets the last reactivation status, as a reset does. */
  public void reset() {
    mircStatus = MircStatus.SUCCESS;
  }

  /** MFRL: GET the supported reset levels; SET one supported level to reset now. */
  public RegisterReply mfrl(boolean get, Mfrl request) throws IOException {
    int supported = Mfrl.LEVEL_0_LIVE_PATCH | Mfrl.LEVEL_3_DRIVER_RESTART;
    if (get) {
      return RegisterReply.ok(new Mfrl(supported, 1, 0, 0, false, false).encode());
    }
    int level = request.resetTrigger();
    if (Integer.bitCount(level) != 1 || (level & supported) == 0) {
      return RegisterReply.refuse(RegisterStatus.BAD_PARAM, request.encode());
    }
    // The reset runs right away: pending image -> running, uptime 0, state machine idle.
    reboot.reboot();
    return RegisterReply.ok(request.encode());
  }

  /**
   * MIRC SET (state machine idle, else DEV_BUSY): cancels a pending image, or makes the previous
   * image pending again when it would still pass the checks; GET reports the last status.
   */
  public RegisterReply mirc(boolean get, byte[] payload)
      throws IOException, RegisterFormatException {
    Mirc.decode(payload);
    if (get) {
      return RegisterReply.ok(new Mirc(mircStatus.code()).encode());
    }
    if (!updates.idle()) {
      return RegisterReply.refuse(
          RegisterStatus.DEV_BUSY, new Mirc(MircStatus.BUSY.code()).encode());
    }
    int runningSlot = state.runningSlot();
    int target;
    if (state.pending() != null) {
      // Cancel the pending image: the running one becomes the boot image again.
      target = runningSlot;
    } else {
      target = 1 - runningSlot;
      if (previousImage(target) == null) {
        mircStatus = MircStatus.FW_PROGRAMMING_NEEDED;
        return RegisterReply.ok(new Mirc(mircStatus.code()).encode());
      }
    }
    state.switchBootSlot(target, 1 - target, FaultPoint.REACTIVATE_MAGIC_WRITTEN,
        FaultPoint.REACTIVATE_POINTER_SWITCHED);
    state.setPending(target == runningSlot ? null : state.slotFacts(target));
    mircStatus = MircStatus.SUCCESS;
    return RegisterReply.ok(new Mirc(mircStatus.code()).encode());
  }

  /** The image left in a slot by an earlier activation, if it would still boot. */
  private ImageFacts previousImage(int slot) {
    int size = state.nv().slotSize(slot);
    if (size <= 0 || size > state.flash().slotSize()) {
      return null;
    }
    byte[] copy = state.flash().read(slot, 0, size);
    // The activation invalidated its magic; check it as it would boot with the magic back.
    System.arraycopy(state.flash().magic(), 0, copy, 0, Fs4Magic.LENGTH);
    try {
      ImageFacts facts = ImageFacts.read(ByteBuffer.wrap(copy), "slot " + slot);
      return SecureBootPolicy.check(facts, state.policyFacts()).accepted() ? facts : null;
    } catch (ImageFormatException | RuntimeException e) {
      return null;
    }
  }

  /** MLOCK: lock with a key, unlock with the same key; GET never shows the key. */
  public RegisterReply mlock(boolean get, Mlock request) throws IOException {
    boolean disabled = state.nv().hwAccessDisabled();
    if (get) {
      return RegisterReply.ok(new Mlock(disabled ? Mlock.LOCK : Mlock.UNLOCK, 0).encode());
    }
    String keyHash = keyHash(request.key());
    switch (request.operation()) {
      case Mlock.LOCK -> {
        if (disabled) {
          return RegisterReply.refuse(RegisterStatus.BAD_PARAM, new Mlock(Mlock.LOCK, 0).encode());
        }
        state.storeNv(state.nv().withHwAccess(true, keyHash));
        return RegisterReply.ok(new Mlock(Mlock.LOCK, 0).encode());
      }
      case Mlock.UNLOCK -> {
        if (!disabled) {
          return RegisterReply.ok(new Mlock(Mlock.UNLOCK, 0).encode());
        }
        if (!MessageDigest.isEqual(
            keyHash.getBytes(StandardCharsets.US_ASCII),
            state.nv().hwAccessKeyHash().getBytes(StandardCharsets.US_ASCII))) {
          // flint: "The given key is incorrect" for status 0x07.
          return RegisterReply.refuse(RegisterStatus.BAD_PARAM, new Mlock(Mlock.LOCK, 0).encode());
        }
        state.storeNv(state.nv().withHwAccess(false, state.nv().hwAccessKeyHash()));
        return RegisterReply.ok(new Mlock(Mlock.UNLOCK, 0).encode());
      }
      default -> {
        return RegisterReply.refuse(RegisterStatus.BAD_PARAM, new Mlock(0, 0).encode());
      }
    }
  }

  /**
   * MNVDA: the NV_BASE_MAC_GUID TLV, read and written through the firmware (flint's {@code sg} on
   * a controlled-update device; a secure device blocks the raw flash route), and the read-only
   * NV_BASE_MAC_GUID_CAP with the allocated counts. A GET may offer more room than the TLV needs
   * (mstflint asks with length 64, {@code FwCompsMgr::extractMacsGuids}): the reply's length is
   * the TLV's own, and the {@code default} bit selects the manufacturing value (the "Orig" lines
   * of {@code query full}). Other TLVs are not modelled and answer BAD_PARAM. A new value is
   * stored durably at once and is what later reads return; like the real NV configuration it is
   * meant to take effect at the next reset.
   */
  public RegisterReply mnvda(boolean get, Mnvda request) throws IOException {
    int echoed = request.queryDefault() ? Mnvda.DEFAULT_BIT : 0;
    long manufacturingMac = state.identity().baseMac();
    if (get && request.tlvType() == Mnvda.NV_BASE_MAC_GUID
        && request.length() >= Mnvda.BASE_MAC_GUID_LENGTH) {
      long[] value =
          request.queryDefault()
              ? NvConfig.factoryBaseMacGuid(manufacturingMac)
              : NvConfig.baseMacGuid(state.dir(), manufacturingMac);
      Mnvda current = Mnvda.baseMacGuid(value[0], value[1]);
      return RegisterReply.ok(
          new Mnvda(Mnvda.RD_EN_BIT | Mnvda.OVER_EN_BIT | echoed, current.tlvType(),
                  current.data())
              .encode());
    }
    if (get && request.tlvType() == Mnvda.NV_BASE_MAC_GUID_CAP
        && request.length() >= Mnvda.BASE_MAC_GUID_CAP_LENGTH) {
      return RegisterReply.ok(
          Mnvda.baseMacGuidCap(Mnvda.RD_EN_BIT | echoed, state.identity().macCount(),
                  state.identity().guidCount())
              .encode());
    }
    if (get || !request.isBaseMacGuid()) {
      return RegisterReply.refuse(RegisterStatus.BAD_PARAM, request.encode());
    }
    long mac = request.mac();
    long guid = request.guid();
    // A base MAC must be a unicast address and neither value may be all zeros or all ones.
    if (mac == 0 || mac == 0xFFFF_FFFF_FFFFL || (mac & (1L << 40)) != 0 || guid == 0 || guid == -1) {
      return RegisterReply.refuse(RegisterStatus.BAD_PARAM, request.encode());
    }
    NvConfig.storeBaseMacGuid(state.dir(), mac, guid);
    return RegisterReply.ok(request.encode());
  }

  /** MVTS: the user timestamps ({@link UserTimestamps}). */
  public RegisterReply mvts(boolean get, Mvts request) throws IOException {
    return state.timestamps().handle(get, request);
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
}
