package dev.kiln.burner.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.BurnOptions;
import dev.kiln.burner.BurnReport;
import dev.kiln.burner.DeviceInfo;
import dev.kiln.burner.ImageRejectedException;
import dev.kiln.burner.SecureDevice;
import dev.kiln.emulator.pci.EmulatedConfigSpace;
import dev.kiln.burner.pci.PciTransport;
import dev.kiln.burner.precheck.DeviceProfile;
import dev.kiln.burner.precheck.DeviceProfiles;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.UpdateComponent;
import dev.kiln.inspector.format.Fs4Magic;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.registers.FsmState;
import dev.kiln.registers.RegisterTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The burner's MCC flow end to end against the emulator, in-process and through the PCI path
 * (VSEC gateway + ICMD mailbox over the emulated config space): query, burn, reset, query.
 */
class SecureDeviceFlowTest {
  @TempDir static Path images;
  static Path oldImage;
  static Path newImage;

  @BeforeAll
  static void buildImages() throws Exception {
    oldImage = BurnerImages.build(images, BurnerImages.spec("22.39.1002"));
    newImage = BurnerImages.build(images, BurnerImages.spec("22.41.1000"));
  }

  static byte[] component(Path image) throws Exception {
    return UpdateComponent.bytes(ImageParser.parse(image));
  }

  private static void burnResetQuery(Path dir, boolean overPci) throws Exception {
    try (EmulatedDevice device = EmulatedDevice.open(dir)) {
      RegisterTransport transport = device.client();
      if (overPci) {
        transport = PciTransport.open(EmulatedConfigSpace.builder(transport).build(), ms -> {}, 7);
      }
      try (SecureDevice session = SecureDevice.open(transport, ms -> {}, "test-device")) {
        DeviceInfo before = session.query();
        assertEquals(FwVersion.parse("22.39.1002"), before.runningVersion());
        assertTrue(before.pendingVersion().isEmpty());
        assertEquals(BurnerImages.PSID, before.psid());
        assertTrue(before.secured());
        assertEquals("secure-fw", before.securityAttributes().split(",")[0]);
        DeviceProfile profile = DeviceProfiles.of(session, before, true);
        assertTrue(profile.trustedKeysKnown());
        assertEquals(
            BurnerImages.TRUSTED_UUID.toString(),
            profile.trustedKeys().get(0).uuid());

        BurnReport report =
            session.burn(
                component(newImage),
                new BurnOptions(true, FwVersion.parse("22.41.1000")),
                BurnProgress.SILENT);
        assertEquals(FwVersion.parse("22.41.1000"), report.pendingVersion().orElseThrow());
        assertEquals(FwVersion.parse("22.39.1002"), report.runningVersion());

        // The device reads the pending component back byte for byte (the magic aside: the
        // device stores the real pattern where the host sent 0xFF).
        byte[] readBack = session.readBootImage(true, BurnProgress.SILENT);
        Fs4Magic.mask(readBack, 0);
        assertArrayEquals(component(newImage), readBack);

        session.reset();
        DeviceInfo after = session.query();
        assertEquals(FwVersion.parse("22.41.1000"), after.runningVersion());
        assertFalse(after.pendingVersion().isPresent());
      }
    }
  }

  @Test
  void burnsInProcess(@TempDir Path dir) throws Exception {
    burnResetQuery(BurnerImages.device(dir.resolve("dev"), oldImage), false);
  }

  @Test
  void burnsOverThePciGateway(@TempDir Path dir) throws Exception {
    burnResetQuery(BurnerImages.device(dir.resolve("dev"), oldImage), true);
  }

  @Test
  void aRejectedBurnIsCancelledAndReleasedSoTheNextOneWorks(@TempDir Path dir) throws Exception {
    Path unsigned =
        BurnerImages.build(dir.resolve("img"), BurnerImages.spec("22.41.1000").withSigner(null));
    Path dev = BurnerImages.device(dir.resolve("dev"), oldImage);
    try (EmulatedDevice device = EmulatedDevice.open(dev);
        SecureDevice session = SecureDevice.open(device.client(), ms -> {}, "test-device")) {
      ImageRejectedException rejected =
          assertThrows(
              ImageRejectedException.class,
              () ->
                  session.burn(
                      component(unsigned),
                      new BurnOptions(true, FwVersion.parse("22.41.1000")),
                      BurnProgress.SILENT));
      assertEquals(0x06, rejected.mccErrorCode().orElseThrow());
      assertTrue(rejected.getMessage().contains("unsigned image"), rejected.getMessage());
      // CANCEL and RELEASE left the state machine idle: no handle is left behind.
      assertEquals(FsmState.IDLE, device.fsmState());
      BurnReport report =
          session.burn(
              component(newImage),
              new BurnOptions(true, FwVersion.parse("22.41.1000")),
              BurnProgress.SILENT);
      assertEquals(FwVersion.parse("22.41.1000"), report.pendingVersion().orElseThrow());
    }
  }

  @Test
  void readBackParsesAsTheRunningImage(@TempDir Path dir) throws Exception {
    Path dev = BurnerImages.device(dir.resolve("dev"), oldImage);
    try (EmulatedDevice device = EmulatedDevice.open(dev);
        SecureDevice session = SecureDevice.open(device.client(), ms -> {}, "test-device")) {
      byte[] image = session.readBootImage(false, BurnProgress.SILENT);
      System.arraycopy(Fs4Magic.fs4Bytes(), 0, image, 0, Fs4Magic.LENGTH);
      assertEquals(
          ImageParser.parse(Files.readAllBytes(oldImage), "file").size(),
          ImageParser.parse(image, "read back").size());
    }
  }
}
