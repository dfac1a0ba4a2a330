package dev.kiln.emulator.internal;

import dev.kiln.emulator.DeviceMode;
import dev.kiln.emulator.FaultPoint;
import java.io.IOException;

/**
 * The raw flash gateway of a device in flash recovery (livefish): read, write anywhere, declare
 * the image a recovery burn wrote (docs/emulator.md, "Flash recovery"). Secure FW blocks it.
 *
 * <p>Not API; not synchronized: the facade's monitor guards every call.
 */
public final class FlashGateway {
  /** Why the gateway refused: the message names the reason. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  private final DeviceState state;

  public FlashGateway(DeviceState state) {
    this.state = state;
  }

  /** Writes {@code data} at {@code address}, durably. */
  public void write(long address, byte[] data) throws Refused {
    check(address, data.length);
    state.flash().writeAbsolute(address, data);
    state.flash().force();
    state.faults().reached(FaultPoint.GATEWAY_WRITE);
  }

  /** Reads {@code length} bytes at {@code address}. */
  public byte[] read(long address, int length) throws Refused {
    check(address, length);
    return state.flash().readAbsolute(address, length);
  }

  /**
   * Declares the image a recovery burn wrote at the start of {@code slot}; the next power cycle
   * boots it if it is valid. The documented lost-key procedure (jumper, re-burn, reboot, set the
   * key again) implies the re-burn clears the HW access key: so does the recovery burn here.
   */
  public void setImage(int slot, int size) throws Refused, IOException {
    checkMode();
    if ((slot != 0 && slot != 1) || size <= 0 || size > state.flash().slotSize()) {
      throw new Refused("bad slot " + slot + " or size " + size);
    }
    state.storeNv(state.nv().withSlotSize(slot, size).withBootSlot(slot).withHwAccess(false, ""));
  }

  private void checkMode() throws Refused {
    if (state.mode() != DeviceMode.LIVEFISH) {
      throw new Refused("Flash GW is blocked (secure FW)");
    }
  }

  private void check(long address, int length) throws Refused {
    checkMode();
    long size = state.flash().size();
    if (address < 0 || length < 0 || address + length > size) {
      throw new Refused(
          "flash range 0x" + Long.toHexString(address) + "+" + length + " is outside the " + size
              + "-byte flash");
    }
  }
}
