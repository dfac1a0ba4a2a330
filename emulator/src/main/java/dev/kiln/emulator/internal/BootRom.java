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
   * Boots the device: tries the NV boot slot, then the other one. A slot boots when it starts with
   * the magic, its image (of the recorded size, or found in the slot when a flash tool wrote it:
   * {@link #writtenByFlashTool}) parses as FS4 with IMAGE_INFO, is made for this
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
      state.storeNv(state.nv().withBootCount(nv.bootCount() + 1));
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
    // Re-read: choosing a slot may have recorded the size of an image a flash tool wrote.
    NvState next = state.nv().withBootSlot(chosenSlot).withBootCount(nv.bootCount() + 1);
    if (chosen.securityVersion() > next.efuseSecurityVersion()) {
      // eFuses programmed automatically (MFSV efuses_prog_method = 1) once the image runs.
      next = next.withEfuse(chosen.securityVersion());
    }
    state.storeNv(next);
    TrustAnchor.write(state.dir(), chosen);
    state.timestamps().booted(chosen.version());
  }

  /** The facts of a slot's image when the boot ROM would run it, else null. */
  private static ImageFacts bootable(DeviceState state, int slot, TrustStore anchor)
      throws IOException {
    int size = state.nv().slotSize(slot);
    Flash flash = state.flash();
    if (!flash.hasMagic(slot)) {
      return null;
    }
    if (size <= 0) {
      return writtenByFlashTool(state, slot, anchor);
    }
    if (size <= flash.slotSize()) {
      try {
        ImageFacts facts = state.slotFacts(slot);
        if (bootChecks(state, facts, anchor)) {
          return facts;
        }
      } catch (ImageFormatException | RuntimeException e) {
        // Not the image the recorded size describes: a flash tool may have replaced it.
      }
    }
    return writtenByFlashTool(state, slot, anchor);
  }

  /**
   * A slot with the magic but no recorded size: an image a flash tool wrote straight to flash in
   * livefish (mstflint's burn through the CR-space flash gateway writes the image, then its
   * magic, then invalidates the other half; it tells the device no size). Like a real boot ROM,
   * which finds images by their magic at the image-half starts, this one reads the image from
   * the half itself: it parses the whole half, takes the image to end with its last ITOC section
   * (where mstflint's image ends too, mlxfwops/lib/fs4_ops.cpp {@code getImageSize}), checks it
   * as every boot does and against the eFuse security version ({@link #flashToolChecks}), and
   * records that size.
   */
  private static ImageFacts writtenByFlashTool(DeviceState state, int slot, TrustStore anchor)
      throws IOException {
    Flash flash = state.flash();
    try {
      ImageFacts whole =
          ImageFacts.read(flash.view(slot, flash.slotSize()), "slot " + slot + " (flash tool)");
      long end = 0;
      for (var section : whole.image().itoc().map(t -> t.sections()).orElse(java.util.List.of())) {
        if (section.inBounds()) {
          end = Math.max(end, section.offset() + section.size());
        }
      }
      if (end <= 0 || end > flash.slotSize()) {
        return null;
      }
      int size = (int) end;
      ImageFacts facts = ImageFacts.read(flash.view(slot, size), "slot " + slot);
      if (!flashToolChecks(state, facts, anchor)) {
        return null;
      }
      state.storeNv(state.nv().withSlotSize(slot, size));
      return facts;
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

  /**
   * An image a flash tool wrote passed no device check before it reached the flash, so besides
   * the boot checks it must not roll the device back: its security version may not be below the
   * eFuse value (the rule VERIFY applies to a controlled update, docs/emulator.md "Device-side
   * checks at VERIFY_COMPONENT").
   */
  private static boolean flashToolChecks(
      DeviceState state, ImageFacts facts, TrustStore anchor) {
    return bootChecks(state, facts, anchor)
        && facts.securityVersion() >= state.nv().efuseSecurityVersion();
  }
}
