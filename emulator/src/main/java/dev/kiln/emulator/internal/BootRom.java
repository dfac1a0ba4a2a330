package dev.kiln.emulator.internal;

import dev.kiln.emulator.DeviceMode;
import dev.kiln.emulator.FaultPoint;
import dev.kiln.emulator.NvState;
import dev.kiln.inspector.ImageFormatException;
import dev.kiln.signer.fs4.TrustStore;
import java.io.IOException;

/**
 * The boot ROM: picks the slot to run, finishes a half-done switch, or falls into flash recovery
 * (livefish). Runs at power-on, at every FW reset and at a power cycle (docs/emulator.md, "Boot").
 *
 * <p>Not API.
 */
public final class BootRom {
  private BootRom() {}

  /**
   * Boots the device: tries the NV boot slot, then the other one. A slot boots when its recorded
   * size is non-zero, it starts with the magic, parses as FS4 with IMAGE_INFO, is made for this
   * device and is signed by a key of the trust anchor (the keys of the last image that ran).
   *
   * @param flashNotPresent the flash-not-present jumper: straight into livefish
   * @param nowNanos the clock reading that starts the uptime
   */
  public static void boot(DeviceState state, boolean flashNotPresent, long nowNanos)
      throws IOException {
    NvState nv = state.nv();
    TrustStore anchor = TrustAnchor.read(state.dir());
    int first = nv.bootSlot();
    int second = 1 - first;
    ImageFacts chosen = null;
    int chosenSlot = -1;
    if (!flashNotPresent) {
      chosen = bootable(state, first, anchor);
      chosenSlot = first;
      if (chosen == null) {
        chosen = bootable(state, second, anchor);
        chosenSlot = second;
      }
    }
    if (chosen == null) {
      state.booted(DeviceMode.LIVEFISH, -1, null, nowNanos);
      state.storeNv(nv.withBootCount(nv.bootCount() + 1));
      return;
    }
    Flash flash = state.flash();
    int other = 1 - chosenSlot;
    if (flash.hasMagic(other)) {
      // Both slots carry the magic: a switch (activation or reactivation) was cut between
      // "new magic written" and "old magic invalidated". Finish it in the direction the boot
      // pointer decided, so exactly one valid image remains.
      state.faults().reached(FaultPoint.BOOT_REPAIR);
      flash.invalidate(other);
      flash.force();
    }
    state.booted(DeviceMode.SECURE_FW, chosenSlot, chosen, nowNanos);
    NvState next = nv.withBootSlot(chosenSlot).withBootCount(nv.bootCount() + 1);
    if (chosen.securityVersion() > next.efuseSecurityVersion()) {
      // eFuses programmed automatically (MFSV efuses_prog_method = 1) once the image runs.
      next = next.withEfuse(chosen.securityVersion());
    }
    state.storeNv(next);
    TrustAnchor.write(state.dir(), chosen);
    state.timestamps().booted(chosen.version());
  }

  /** The facts of a slot's image when the boot ROM would run it, else null. */
  private static ImageFacts bootable(DeviceState state, int slot, TrustStore anchor) {
    int size = state.nv().slotSize(slot);
    Flash flash = state.flash();
    if (size <= 0 || size > flash.slotSize() || !flash.hasMagic(slot)) {
      return null;
    }
    try {
      ImageFacts facts = state.slotFacts(slot);
      return bootChecks(state, facts, anchor) ? facts : null;
    } catch (ImageFormatException | RuntimeException e) {
      return null;
    }
  }

  private static boolean bootChecks(DeviceState state, ImageFacts facts, TrustStore anchor) {
    return facts.info().isPresent()
        && facts.supportsHwId(state.identity().type().hwId())
        && facts.psid().equals(state.identity().psid())
        && (anchor.isEmpty() || SecureBootPolicy.checkSignature(facts, anchor).accepted());
  }
}
