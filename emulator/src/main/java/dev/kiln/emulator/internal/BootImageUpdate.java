package dev.kiln.emulator.internal;

import dev.kiln.emulator.FaultPoint;
import dev.kiln.inspector.ImageFormatException;
import dev.kiln.inspector.format.Fs4Magic;
import dev.kiln.registers.MccErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The device's side of a BOOT_IMG update, whichever path delivers the image: the MCC flow
 * ({@link UpdateStateMachine}) and the BMC's PLDM firmware update ({@link PldmFirmwareDevice}) both
 * call these steps, so the two paths apply exactly the same checks and the same fail-safe writes
 * (docs/emulator.md, "Device-side checks at VERIFY_COMPONENT", "Fail-safe order"):
 *
 * <ol>
 *   <li>{@link #admit}: may an update of this size start now (nothing pending, fits the slot);
 *   <li>{@link #check}: the received component, magic restored, against {@link SecureBootPolicy}
 *       and the next MVTS user timestamp; the verdict names the MCC error code (the PLDM path maps
 *       it to its own result codes);
 *   <li>{@link #stage}: into the inactive slot without its magic (it cannot boot yet);
 *   <li>{@link #activate}: the fail-safe switch of the boot slot; the image is then pending.
 * </ol>
 *
 * <p>Not API; not synchronized: the facade's monitor guards every call.
 */
public final class BootImageUpdate {
  private final DeviceState state;

  public BootImageUpdate(DeviceState state) {
    this.state = state;
  }

  /**
   * Whether an update of {@code size} bytes may start: {@link MccErrorCode#BLOCKED_PENDING_RESET}
   * while an image is pending (the inactive slot holds the running image's successor until the
   * reset or MIRC), {@link MccErrorCode#ERROR} for a size of 0 or above the slot, else OK.
   */
  public MccErrorCode admit(long size) {
    if (state.pending() != null) {
      return MccErrorCode.BLOCKED_PENDING_RESET;
    }
    if (size <= 0 || size > state.flash().slotSize()) {
      return MccErrorCode.ERROR;
    }
    return MccErrorCode.OK;
  }

  /** The largest component the inactive slot takes. */
  public long maxSize() {
    return state.flash().slotSize();
  }

  /**
   * Checks a received component in place: its first 16 bytes, sent masked (protocol doc §2.6 step
   * 11), get the magic back, then the policy checks in their documented order and the user
   * timestamp. Nothing is written.
   */
  public SecureBootPolicy.Verdict check(byte[] component) {
    // Rebuild the image: the host sends the magic masked (protocol doc §2.6 step 11); an FS3
    // device's flash holds the FS3 magic.
    Fs4Magic.unmask(component, state.flash().magic());
    ImageFacts candidate;
    try {
      candidate = ImageFacts.read(ByteBuffer.wrap(component), "component");
    } catch (ImageFormatException | RuntimeException e) {
      return new SecureBootPolicy.Verdict(
          MccErrorCode.REJECTED_BAD_FORMAT, "not an image this device runs: " + e.getMessage());
    }
    SecureBootPolicy.Verdict verdict = SecureBootPolicy.check(candidate, state.policyFacts());
    if (!verdict.accepted()) {
      return verdict;
    }
    if (!state.timestamps().admits(candidate.version())) {
      return new SecureBootPolicy.Verdict(
          MccErrorCode.REJECTED_USER_TIMESTAMP_MISMATCH,
          "version " + candidate.version() + " is not the one the next MVTS timestamp names");
    }
    return verdict;
  }

  /** Writes a checked image into the inactive slot without its magic ({@link DeviceState#stageImage}). */
  public void stage(byte[] checkedImage) throws IOException {
    state.stageImage(state.inactiveSlot(), checkedImage);
  }

  /** The fail-safe switch to the staged image; it is pending until the next reset. */
  public void activate() throws IOException {
    int newSlot = state.inactiveSlot();
    state.switchBootSlot(newSlot, state.runningSlot(), FaultPoint.ACTIVATE_MAGIC_WRITTEN,
        FaultPoint.ACTIVATE_POINTER_SWITCHED);
    state.faults().reached(FaultPoint.ACTIVATE_OLD_INVALIDATED);
    state.setPending(state.slotFacts(newSlot));
  }
}
