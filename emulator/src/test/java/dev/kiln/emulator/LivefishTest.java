package dev.kiln.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.section.FwVersion;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Mgir;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.TransportException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flash recovery (livefish): a device with no valid image, or with the flash-not-present jumper,
 * refuses access registers, identifies with its HW id as PCI id, and accepts a raw-gateway burn
 * that restores it. The gateway is blocked on secure FW.
 */
class LivefishTest {
  @TempDir static Path work;
  static byte[] v1;
  static byte[] v2;

  @BeforeAll
  static void images() throws Exception {
    v1 = TestImages.build(work, TestImages.spec(22, 41, 1000));
    v2 = TestImages.build(work, TestImages.spec(22, 42, 1010));
  }

  static void wipeFlash(Path dir) throws Exception {
    try (RandomAccessFile flash =
        new RandomAccessFile(dir.resolve(EmulatedDevice.FLASH_FILE).toFile(), "rw")) {
      byte[] erased = new byte[(int) flash.length()];
      Arrays.fill(erased, (byte) 0xFF);
      flash.write(erased);
    }
  }

  @Test
  void blankFlashBootsIntoRecoveryAndAGatewayBurnRestoresIt(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    wipeFlash(dir);
    try (EmulatedDevice device = EmulatedDevice.open(dir)) {
      assertEquals(DeviceMode.LIVEFISH, device.mode());
      Identification id = device.identify();
      assertEquals(0x212, id.pciDeviceId(), "livefish: the PCI id is the HW id");
      assertEquals("mode=livefish pci_device_id=0x212 hw_dev_id=0x212 psid="
          + TestImages.PSID + " running=-", id.toLine());
      TransportException refused =
          assertThrows(
              TransportException.class,
              () ->
                  RegisterEnvelope.request(AccessRegister.MGIR, RegisterMethod.GET,
                      new byte[Mgir.SIZE]).exchange(device));
      assertTrue(refused.getMessage().contains("ICMD unavailable"), refused.getMessage());

      // The legacy recovery burn: blank the magic, write the image, then the magic, then say
      // which image to boot, then power-cycle.
      byte[] noMagic = TestImages.component(v2);
      for (int offset = 0; offset < noMagic.length; offset += 4096) {
        device.gatewayWrite(offset, Arrays.copyOfRange(noMagic, offset,
            Math.min(noMagic.length, offset + 4096)));
      }
      device.gatewayWrite(0, Arrays.copyOf(v2, 16));
      device.gatewaySetImage(0, v2.length);
      device.powerCycle();
      assertEquals(DeviceMode.SECURE_FW, device.mode());
      assertEquals(Optional.of(new FwVersion(22, 42, 1010)), device.runningVersion());
      assertThrows(TransportException.class, () -> device.gatewayWrite(0, new byte[4]),
          "secure FW blocks the flash gateway");
      assertThrows(TransportException.class, () -> device.gatewayRead(0, 4));
    }
  }

  @Test
  void lostHwAccessKeyRecoveryProcedureClearsTheLock(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    try (EmulatedDevice device = EmulatedDevice.open(dir)) {
      new SimpleHost(device).access(AccessRegister.MLOCK, RegisterMethod.SET,
          new dev.kiln.registers.Mlock(dev.kiln.registers.Mlock.LOCK, 42).encode());
      assertTrue(device.nvState().hwAccessDisabled());
    }
    // Fit the jumper, re-burn through the gateway, remove the jumper, reboot.
    try (EmulatedDevice device =
        EmulatedDevice.open(dir, EmulatedDevice.Options.defaults().withFlashNotPresent(true))) {
      device.gatewayWrite(device.identity().flashSize() / 2, v2);
      device.gatewaySetImage(1, v2.length);
    }
    try (EmulatedDevice device = EmulatedDevice.open(dir)) {
      assertEquals(Optional.of(new FwVersion(22, 42, 1010)), device.runningVersion());
      assertTrue(!device.nvState().hwAccessDisabled(), "the key is gone; set it again");
      assertEquals(dev.kiln.registers.MccErrorCode.OK, new SimpleHost(device).burn(v1));
    }
  }

  @Test
  void recoveryStillOnlyBootsImagesSignedByTheTrustAnchor(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    byte[] foreign =
        TestImages.build(work, TestImages.spec(22, 42, 1010)
            .withSigner(TestImages.Signer.UNKNOWN_UUID));
    try (EmulatedDevice device =
        EmulatedDevice.open(dir, EmulatedDevice.Options.defaults().withFlashNotPresent(true))) {
      assertEquals(DeviceMode.LIVEFISH, device.mode(), "the jumper forces recovery");
      device.gatewayWrite(device.identity().flashSize() / 2, foreign);
      device.gatewaySetImage(1, foreign.length);
    }
    try (EmulatedDevice device = EmulatedDevice.open(dir)) {
      // Slot 1 holds an image the anchor does not trust: the boot ROM skips it, slot 0 runs.
      assertEquals(DeviceMode.SECURE_FW, device.mode());
      assertEquals(0, device.runningSlot());
      assertEquals(Optional.of(new FwVersion(22, 41, 1000)), device.runningVersion());
    }
  }

  @Test
  void recoveryOverTheDaemon(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    wipeFlash(dir);
    try (DaemonProcess daemon = DaemonProcess.start(dir);
        DaemonClient client = daemon.connect()) {
      assertTrue(client.identify().startsWith("mode=livefish"));
      TransportException refused =
          assertThrows(
              TransportException.class,
              () ->
                  RegisterEnvelope.request(AccessRegister.MGIR, RegisterMethod.GET,
                      new byte[Mgir.SIZE]).exchange(client));
      assertTrue(refused.getMessage().contains("livefish"), refused.getMessage());
      // Frames are at most 1 MiB: write the image in 64 KiB pieces.
      for (int offset = 0; offset < v1.length; offset += 65536) {
        client.gatewayWrite(offset, Arrays.copyOfRange(v1, offset,
            Math.min(v1.length, offset + 65536)));
      }
      client.gatewaySetImage(0, v1.length);
      assertEquals(0x4D, client.gatewayRead(0, 1)[0]);
      client.powerCycle();
      assertTrue(client.identify().startsWith("mode=secure_fw"), client.identify());
      TransportException blocked =
          assertThrows(TransportException.class, () -> client.gatewayWrite(0, new byte[4]));
      assertTrue(blocked.getMessage().contains("Flash GW is blocked"), blocked.getMessage());
    }
  }
}
