package dev.kiln.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.emulator.pcifunction.EmulatedPciExec;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.testkit.Mstflint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unmodified mstflint 4.21 against an emulated device in flash recovery (livefish), through
 * the CR-space flash gateway ({@code pci.CrSpaceFlashGateway}): it queries the image on flash,
 * burns another one straight to flash (the recovery path of the secure-FW excerpt: burn with the
 * flash-not-present jumper, remove it, power on) and verifies the flash; the next power-on
 * without the jumper boots the burned image if it is signed by a trusted key. A device running
 * secure FW keeps the gateway blocked. Fails (never skips) without root, /dev/fuse or mstflint.
 */
class MstflintLivefishFlashTest {
  @TempDir static Path work;
  static byte[] v1;
  static byte[] v2;
  static Path v2File;

  /** The flash-not-present jumper: the device powers on in livefish with its image on flash. */
  private static final EmulatedDevice.Options JUMPER =
      EmulatedDevice.Options.defaults().withFlashNotPresent(true);

  /**
   * Images of 256 KiB for the burns: mflash moves 16 bytes per gateway command, each a dozen CR
   * accesses through FUSE, so a burn's time follows the image size.
   */
  private static final long SMALL = 256 << 10;

  @BeforeAll
  static void images() throws Exception {
    v1 = TestImages.build(work, TestImages.spec(22, 41, 1000));
    v2 = TestImages.build(work, TestImages.spec(22, 42, 1010).withImageSize(SMALL));
    v2File = Files.write(work.resolve("v2.bin"), v2);
  }

  /**
   * A flash of two image halves of the images' log2_img_slot_size (0x16, 4 MiB): mstflint writes
   * the new image to the other half (mlxfwops/lib/flint_io.cpp {@code Flash::write} refuses a
   * write past the flash), which is the emulator's slot 1.
   */
  private static DeviceIdentity twoHalfIdentity() {
    return new DeviceIdentity(TestImages.DEVICE, TestImages.PSID, 0x0002C9ABCDEFL, 8L << 20, 0);
  }

  private static Mstflint.Result livefishMstflint(Path dir, String... args) {
    List<String> command =
        new ArrayList<>(List.of(Mstflint.require().binary().toString(), "-d", EmulatedPciExec.BDF));
    command.addAll(List.of(args));
    return EmulatedPciExec.run(dir, EmulatedPciExec.BDF, JUMPER, command);
  }

  @Test
  void queryReadsTheImageOnFlash(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    Mstflint.Result query = livefishMstflint(dir, "query");
    assertEquals(0, query.exitCode(), query.output());
    assertEquals("FS4", query.field("Image type"), query.output());
    assertEquals("22.41.1000", query.field("FW Version"), query.output());
    assertEquals(TestImages.PSID, query.field("PSID"), query.output());
    assertEquals("kiln emulator test image", query.field("Image VSD"), query.output());
    assertEquals("secure-fw", query.field("Security Attributes"), query.output());
  }

  @Test
  void burnWritesTheFlashAndTheNextPowerOnBootsIt(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, twoHalfIdentity(), v1);
    Mstflint.Result burn = livefishMstflint(dir, "-i", v2File.toString(), "-y", "burn");
    assertEquals(0, burn.exitCode(), burn.output());
    assertTrue(burn.output().contains("Current FW version on flash:  22.41.1000"), burn.output());
    assertTrue(burn.output().contains("Burning FW image without signatures - OK"), burn.output());
    assertTrue(burn.output().contains("Restoring signature                     - OK"),
        burn.output());

    Mstflint.Result verify = livefishMstflint(dir, "verify");
    assertEquals(0, verify.exitCode(), verify.output());
    assertTrue(verify.output().contains("FW image verification succeeded"), verify.output());
    Mstflint.Result onFlash = livefishMstflint(dir, "query");
    assertEquals("22.42.1010", onFlash.field("FW Version"), onFlash.output());

    // Jumper removed: the boot ROM finds the image mstflint wrote, checks it and runs it.
    try (EmulatedDevice device = EmulatedDevice.open(dir)) {
      assertEquals(DeviceMode.SECURE_FW, device.mode());
      assertEquals(Optional.of(new FwVersion(22, 42, 1010)), device.runningVersion());
      assertEquals(1, device.runningSlot());
      assertEquals(v2Extent(), device.nvState().slotSize(1));
    }
    Mstflint.Result running = EmulatedPciExec.mstflint(dir, "query");
    assertEquals(0, running.exitCode(), running.output());
    assertEquals("22.42.1010", running.field("FW Version"), running.output());
  }

  /** Recovery does not open a way around secure boot: an untrusted image is burned, not run. */
  @Test
  void anImageTheTrustAnchorDoesNotTrustIsBurnedButNotBooted(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, twoHalfIdentity(), v1);
    byte[] foreign =
        TestImages.build(work, TestImages.spec(22, 42, 1010).withImageSize(SMALL)
            .withSigner(TestImages.Signer.UNKNOWN_UUID));
    Path foreignFile = Files.write(dir.resolveSibling(dir.getFileName() + "-foreign.bin"), foreign);
    try {
      Mstflint.Result burn = livefishMstflint(dir, "-i", foreignFile.toString(), "-y", "burn");
      assertEquals(0, burn.exitCode(), burn.output());
      try (EmulatedDevice device = EmulatedDevice.open(dir)) {
        // mstflint invalidated the old image when it wrote the new one; nothing bootable is left.
        assertEquals(DeviceMode.LIVEFISH, device.mode());
      }
    } finally {
      Files.deleteIfExists(foreignFile);
    }
  }

  /**
   * Nor a way back below the eFuse security version: an image written straight to flash with a
   * lower security version is burned but not booted.
   */
  @Test
  void anImageBelowTheEfuseSecurityVersionIsBurnedButNotBooted(@TempDir Path dir)
      throws Exception {
    byte[] secure2 = TestImages.build(work, TestImages.spec(22, 41, 1000).withSecurityVersion(2));
    EmulatedDevice.create(dir, twoHalfIdentity(), secure2);
    Path older = Files.write(dir.resolveSibling(dir.getFileName() + "-sv0.bin"), v2);
    try {
      Mstflint.Result burn = livefishMstflint(dir, "-i", older.toString(), "-y", "burn");
      assertEquals(0, burn.exitCode(), burn.output());
      try (EmulatedDevice device = EmulatedDevice.open(dir)) {
        assertEquals(DeviceMode.LIVEFISH, device.mode());
        assertEquals(2, device.nvState().efuseSecurityVersion());
      }
    } finally {
      Files.deleteIfExists(older);
    }
  }

  /**
   * Secure FW blocks the gateway: with {@code -ocr} mflash drives the CR-space gateway, reads no
   * flash id and stops, as against a real secure adapter (MstflintSecureDeviceTest in the CLI).
   */
  @Test
  void aDeviceRunningSecureFwKeepsTheGatewayBlocked(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    Mstflint.Result ocr = EmulatedPciExec.mstflint(dir, "-ocr", "query");
    assertEquals(1, ocr.exitCode(), ocr.output());
    assertTrue(ocr.output().strip().endsWith("MFE_NO_FLASH_DETECTED"), ocr.output());
  }

  /** Where v2's last ITOC section ends: the size the boot ROM records for it. */
  private static int v2Extent() throws Exception {
    var image = dev.kiln.inspector.ImageParser.parse(java.nio.ByteBuffer.wrap(v2), "v2");
    long end = 0;
    for (var section : image.itoc().orElseThrow().sections()) {
      end = Math.max(end, section.offset() + section.size());
    }
    return (int) end;
  }
}
