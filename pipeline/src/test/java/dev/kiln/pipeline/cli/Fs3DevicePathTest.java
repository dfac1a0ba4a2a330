package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.Sleeper;
import dev.kiln.emulator.pcifunction.EmulatedPciExec;
import dev.kiln.inspector.ImageFormat;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.UpdateComponent;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secure-FW ConnectX-4 Lx (HW id 0x20b, FS3 firmware) through the release path: {@code kiln
 * check} accepts a signed FS3 image, {@code kiln burn} sends the FS3 component mstflint sends
 * (magic and device-data entries masked) and the device checks, stages, activates and boots it;
 * a bundle of it verifies and burns; {@code kiln gate} passes it. An FS4 image for the same board
 * is refused by {@code kiln check} (FORMAT_MISMATCH) and, pushed past the pre-check, by the device
 * (bad format); an unsigned FS3 image is refused.
 */
class Fs3DevicePathTest {
  static final String PSID = "MT_2420110034";
  static final SampleFirmware.Spec RUNNING = new SampleFirmware.Spec(DeviceType.CX4LX, PSID,
      FwVersion.parse("14.32.1010"), 0, true, List.of());

  @TempDir static Path images;
  static Path running;
  static Path newer;

  @BeforeAll
  static void buildImages() throws Exception {
    DeviceOptions.sleeper = millis -> {};
    running = BurnTestImages.signed(images, RUNNING, "running");
    newer = BurnTestImages.signed(images,
        new SampleFirmware.Spec(DeviceType.CX4LX, PSID, FwVersion.parse("14.33.1000"), 0, true,
            List.of()), "newer");
    assertEquals(ImageFormat.FS3, ImageParser.parse(newer).format());
  }

  @AfterAll
  static void restore() {
    DeviceOptions.sleeper = Sleeper.REAL;
  }

  private static String device(Path dir) throws Exception {
    return "emu:" + BurnTestImages.device(dir.resolve("dev"), running, DeviceType.CX4LX, PSID);
  }

  @Test
  void aSignedFs3ImageIsCheckedBurnedAndRuns(@TempDir Path dir) throws Exception {
    String device = device(dir);
    Run query = kiln("query", "--device", device);
    assertTrue(query.out().contains("HW Device ID:           0x20b (PCI device id 0x1015)"),
        query.out());
    assertTrue(query.out().contains("FW Version:             14.32.1010"), query.out());
    Run check = kiln("check", newer.toString(), "--device", device);
    assertEquals(0, check.exitCode(), check.out() + check.err());
    Run burn = kiln("burn", "--device", device, newer.toString(), "--yes");
    assertEquals(0, burn.exitCode(), burn.out() + burn.err());
    Run reset = kiln("device", "reset", "--device", device);
    assertEquals(0, reset.exitCode(), reset.out() + reset.err());
    Run after = kiln("query", "--device", device);
    assertTrue(after.out().contains("FW Version:             14.33.1000"), after.out());
  }

  /**
   * The unmodified mstflint 4.21 burns the FS3 image through {@code kiln device exec}'s emulated
   * PCI function ({@code FsCtrlOperations::FwBurnAdvanced}, mlxfwops/lib/fsctrl_ops.cpp: the
   * component of {@code Fs3Operations::FwExtract4MBImage} over {@code FwCompsMgr}'s MCC flow),
   * sends the component {@code kiln burn} sends, and {@code kiln query} in the same power-on shows
   * the image pending over the running one.
   */
  @Test
  void mstflintBurnsTheFs3ImageAndKilnQuerySeesItPending(@TempDir Path dir) throws Exception {
    MstflintBurnComparison.Burn burn = MstflintBurnComparison.mstflint(dir, running, newer,
        DeviceType.CX4LX, PSID,
        KilnChildProcess.command("query", "--device", "pci:" + EmulatedPciExec.BDF));
    String out = burn.output();
    assertTrue(out.contains("Current FW version on flash:  14.32.1010"), out);
    assertTrue(out.contains("New FW version:               14.33.1000"), out);
    assertTrue(out.contains("Writing Boot image component -   OK"), out);
    assertFalse(out.contains("lock operation"), out);
    assertArrayEquals(UpdateComponent.bytes(ImageParser.parse(newer)), burn.component(),
        "mstflint's FS3 component");
    assertTrue(out.contains("HW Device ID:           0x20b (PCI device id 0x1015)"), out);
    assertTrue(out.contains("FW Version:             14.33.1000"), out);
    assertTrue(out.contains("FW Version(Running):    14.32.1010"), out);
  }

  @Test
  void anFs4ImageIsRefusedByCheckAndDevice(@TempDir Path dir) throws Exception {
    Path fs4 = BurnTestImages.signed(dir, new SampleFirmware.Spec(DeviceType.CX4LX, PSID,
        FwVersion.parse("14.33.1000"), 0, true, List.of()), "fs4-for-cx4lx",
        BurnTestImages.TRUSTED.toString(), builder -> builder.format(ImageFormat.FS4));
    assertEquals(ImageFormat.FS4, ImageParser.parse(fs4).format());
    String device = device(dir);
    Run check = kiln("check", fs4.toString(), "--device", device);
    assertEquals(ExitCodes.CHECK_FAILED, check.exitCode(), check.out());
    assertTrue(check.out().contains("FORMAT_MISMATCH"), check.out());
    Run burn = kiln("burn", "--device", device, fs4.toString(), "--yes", "--skip-precheck");
    assertEquals(ExitCodes.CHECK_FAILED, burn.exitCode(), burn.out() + burn.err());
    assertTrue(burn.err().contains("bad image format"), burn.err());
    Run after = kiln("query", "--device", device);
    assertTrue(after.out().contains("FW Version:             14.32.1010"), after.out());
  }

  @Test
  void anUnsignedFs3ImageIsRefused(@TempDir Path dir) throws Exception {
    Path unsigned = BurnTestImages.unsigned(dir, new SampleFirmware.Spec(DeviceType.CX4LX, PSID,
        FwVersion.parse("14.33.1000"), 0, true, List.of()), "unsigned");
    String device = device(dir);
    Run check = kiln("check", unsigned.toString(), "--device", device);
    assertEquals(ExitCodes.CHECK_FAILED, check.exitCode(), check.out());
    assertTrue(check.out().contains("UNSIGNED"), check.out());
  }

  @Test
  void aBundleOfTheFs3ImageVerifiesAndBurns(@TempDir Path dir) throws Exception {
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_2048, dir);
    Path trust = SampleKeys.writePublicKey(SampleKey.RSA_2048, Files.createDirectory(
        dir.resolve("pub")));
    Path bundle = dir.resolve("fs3.kbundle");
    Run create = kiln("bundle", "create", "--out", bundle.toString(), "--key", "file:" + key,
        "--allow-sample-keys", newer.toString());
    assertEquals(0, create.exitCode(), create.out() + create.err());
    Run verify = kiln("bundle", "verify", bundle.toString(), "--trust", trust.toString());
    assertEquals(0, verify.exitCode(), verify.out() + verify.err());
    String device = device(dir);
    Run burn = kiln("burn", "--device", device, "--bundle", bundle.toString(), "--trust",
        trust.toString(), "--yes");
    assertEquals(0, burn.exitCode(), burn.out() + burn.err());
  }

  @Test
  void theGatePassesTheFs3Image(@TempDir Path dir) throws Exception {
    Path trust = SampleKeys.writePublicKey(SampleKey.RSA_2048, dir);
    Path policy = Files.writeString(dir.resolve("policy.json"), """
        {"trustedKeys": ["%s"], "requiredSignatures": ["IMAGE_SIGNATURE_256"],
         "allowedPsids": ["%s"], "allowedDeviceIds": ["0x20b"], "minimumSecurityVersion": 0,
         "requireSecureFw": true, "allowSampleKeys": true}
        """.formatted(trust.getFileName(), PSID));
    Run gate = kiln("gate", "--policy", policy.toString(), newer.toString());
    assertEquals(0, gate.exitCode(), gate.out() + gate.err());
  }
}
