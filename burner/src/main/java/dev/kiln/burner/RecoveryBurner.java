package dev.kiln.burner;

import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.registers.TransportException;
import java.util.Arrays;

/**
 * Restores a device in flash-recovery (livefish) mode, the tool side of the secure-FW rules'
 * procedure (flash-not-present jumper, reboot, re-burn): without firmware there is no MCC flow and
 * no device-side check, so the host writes a complete image to slot 0 through the raw flash
 * gateway (a non-fail-safe burn, protocol doc §5.2), names it as the boot image and power-cycles
 * the device. The caller must have checked the image (signature, PSID given with {@code --psid})
 * first: nothing on the device does.
 */
public final class RecoveryBurner {
  /** Bytes per gateway write. */
  static final int CHUNK = 64 * 1024;

  private RecoveryBurner() {}

  /**
   * Writes {@code image} (complete, magic included) to slot 0 and boots it.
   *
   * @throws DeviceException when the device is not in livefish mode
   */
  public static void restore(RecoveryGateway gateway, byte[] image, BurnProgress progress)
      throws DeviceException, TransportException {
    RecoveryGateway.Identity identity = gateway.identify();
    if (!identity.livefish()) {
      throw new DeviceException(
          "the device is not in flash-recovery (livefish) mode; burn it normally (without"
              + " --psid)");
    }
    progress.step("Writing the image through the recovery flash gateway");
    // The magic goes last, so a power loss in between leaves no valid-looking half image.
    byte[] head = Arrays.copyOf(image, 16);
    byte[] blank = new byte[16];
    Arrays.fill(blank, (byte) 0xFF);
    gateway.flashWrite(0, blank);
    for (int offset = 16; offset < image.length; offset += CHUNK) {
      int length = Math.min(CHUNK, image.length - offset);
      gateway.flashWrite(offset, Arrays.copyOfRange(image, offset, offset + length));
      progress.written(offset + length, image.length);
    }
    gateway.flashWrite(0, head);
    progress.transferEnded();
    gateway.setBootImage(0, image.length);
    progress.step("Power-cycling the device");
    gateway.powerCycle();
    if (gateway.identify().livefish()) {
      throw new DeviceException(
          "the restored image did not boot: the device is still in flash-recovery mode");
    }
  }
}
