package dev.kiln.emulator.internal;

import dev.kiln.emulator.DeviceIdentity;
import dev.kiln.emulator.DeviceMode;
import dev.kiln.emulator.FaultInjector;
import dev.kiln.emulator.FaultPoint;
import dev.kiln.emulator.NvState;
import dev.kiln.inspector.ImageFormatException;
import dev.kiln.inspector.format.Fs4Magic;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What survives power loss, and what follows from the last boot: the device directory, its
 * identity, the flash, the NV state, the MVTS timestamps, the mode, the running and pending
 * images. Every durable change goes through here in fail-safe order (docs/emulator.md, "Fail-safe
 * order").
 *
 * <p>Not API; not synchronized: the facade's monitor guards every call.
 */
public final class DeviceState {
  private final Path dir;
  private final DeviceIdentity identity;
  private final Flash flash;
  private final FaultInjector faults;
  private final UserTimestamps timestamps;

  private NvState nv;
  private DeviceMode mode;
  private int runningSlot = -1;
  private ImageFacts running;
  private ImageFacts pending;
  private long bootNanos;

  public DeviceState(
      Path dir,
      DeviceIdentity identity,
      Flash flash,
      NvState nv,
      UserTimestamps timestamps,
      FaultInjector faults) {
    this.dir = dir;
    this.identity = identity;
    this.flash = flash;
    this.nv = nv;
    this.timestamps = timestamps;
    this.faults = faults;
  }

  public Path dir() {
    return dir;
  }

  public DeviceIdentity identity() {
    return identity;
  }

  public Flash flash() {
    return flash;
  }

  public FaultInjector faults() {
    return faults;
  }

  public UserTimestamps timestamps() {
    return timestamps;
  }

  public NvState nv() {
    return nv;
  }

  /** Replaces the NV state, durably (atomic rename) before it is used. */
  public void storeNv(NvState next) throws IOException {
    next.store(dir);
    nv = next;
  }

  public DeviceMode mode() {
    return mode;
  }

  /** The running image's facts; null in livefish. */
  public ImageFacts running() {
    return running;
  }

  /** The activated-but-not-running image's facts, or null. */
  public ImageFacts pending() {
    return pending;
  }

  public void setPending(ImageFacts facts) {
    pending = facts;
  }

  /** The slot the running image came from (-1 in livefish). */
  public int runningSlot() {
    return runningSlot;
  }

  /** The slot an update writes: the one not running. */
  public int inactiveSlot() {
    return 1 - runningSlot;
  }

  public long bootNanos() {
    return bootNanos;
  }

  /** What the boot ROM decided: the mode, the running image and its slot, when it booted. */
  public void booted(DeviceMode newMode, int slot, ImageFacts facts, long nanos) {
    mode = newMode;
    runningSlot = slot;
    running = facts;
    pending = null;
    bootNanos = nanos;
  }

  /** The facts of the image recorded in {@code slot} (its NV size), read from the flash. */
  public ImageFacts slotFacts(int slot) throws ImageFormatException {
    return ImageFacts.read(flash.view(slot, nv.slotSize(slot)), "slot " + slot);
  }

  /** What the running image makes the device trust and refuse, for {@link SecureBootPolicy}. */
  public SecureBootPolicy.DeviceFacts policyFacts() {
    return new SecureBootPolicy.DeviceFacts(
        identity.type().hwId(),
        identity.psid(),
        running.trust(),
        running.forbidden(),
        nv.efuseSecurityVersion());
  }

  /**
   * Writes an accepted image into {@code slot} without its magic, so it cannot boot before
   * ACTIVATE: the first 16 bytes erased, the body, a flush, then NV records its size.
   */
  public void stageImage(int slot, byte[] image) throws IOException {
    byte[] erased = new byte[Fs4Magic.LENGTH];
    Fs4Magic.mask(erased, 0);
    flash.write(slot, 0, erased, 0, erased.length);
    int half = image.length / 2;
    flash.write(slot, erased.length, image, erased.length, half - erased.length);
    faults.reached(FaultPoint.VERIFY_SLOT_HALF_WRITTEN);
    flash.write(slot, half, image, half, image.length - half);
    flash.force();
    faults.reached(FaultPoint.VERIFY_SLOT_WRITTEN);
    storeNv(nv.withSlotSize(slot, image.length));
  }

  /**
   * The fail-safe switch of the boot image, in the order of protocol doc §5.2: (1) the new slot
   * gets its magic, flushed; both slots are now bootable. (2) NV names the new slot, atomically.
   * (3) the old slot's magic is invalidated, flushed. A power loss after (1) boots the old image
   * and the boot ROM drops the new magic; after (2) it boots the new one and drops the old magic.
   */
  public void switchBootSlot(int to, int from, FaultPoint afterMagic, FaultPoint afterPointer)
      throws IOException {
    flash.writeMagic(to);
    flash.force();
    faults.reached(afterMagic);
    storeNv(nv.withBootSlot(to));
    faults.reached(afterPointer);
    flash.invalidate(from);
    flash.force();
  }
}
