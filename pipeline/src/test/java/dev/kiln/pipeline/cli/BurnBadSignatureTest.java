package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.Sleeper;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.ImageVerifier;
import dev.kiln.inspector.Section;
import dev.kiln.inspector.VerificationResult;
import dev.kiln.inspector.format.Crc16;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.format.TocEntry;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image signed by a key the device trusts whose signed bytes were changed afterwards: the
 * signature section still names the trusted key UUID and every CRC is right again, so only the
 * signature itself can catch it. Refused by the pre-check and, with the pre-check skipped, by the
 * device; the device keeps its old image either way.
 */
class BurnBadSignatureTest {
  @TempDir static Path images;
  static Path running;
  static Path tampered;

  @BeforeAll
  static void buildImages() throws Exception {
    DeviceOptions.sleeper = millis -> {};
    running = BurnTestImages.signed(images, SampleFirmware.Spec.secure("22.39.1002"), "running");
    Path signed =
        BurnTestImages.signed(images, SampleFirmware.Spec.secure("22.41.1000"), "next");
    tampered = images.resolve("tampered.bin");
    Files.write(tampered, flipOneByteOfMainCodeKeepingCrcs(signed));
  }

  @AfterAll
  static void restore() {
    DeviceOptions.sleeper = Sleeper.REAL;
  }

  /**
   * Flips one bit of the first character of IMAGE_INFO's description (offset 0x1D0, covered by the
   * signature; still a printable character) and repairs the section's CRC (in its ITOC entry or in
   * its last dword, per the entry's CRC mode) and the entry CRC.
   */
  static byte[] flipOneByteOfMainCodeKeepingCrcs(Path signed) throws Exception {
    byte[] bytes = Files.readAllBytes(signed);
    Fs4Image image = ImageParser.parse(bytes.clone(), signed.toString());
    Section code = image.section(SectionType.IMAGE_INFO).orElseThrow();
    int start = Math.toIntExact(code.offset());
    int size = Math.toIntExact(code.entry().sizeBytes());
    bytes[start + 0x1D0] ^= 0x01;
    TocEntry entry = code.entry();
    switch (entry.crcMode()) {
      case TocEntry.CRC_IN_ENTRY -> {
        TocEntry fixed = entry.withSectionCrc(Crc16.sw(bytes, start, size)).withEntryCrcFixed();
        System.arraycopy(
            fixed.toBytes(), 0, bytes, Math.toIntExact(code.entryOffset()), TocEntry.SIZE);
      }
      case TocEntry.CRC_IN_SECTION -> {
        int crc = Crc16.sw(bytes, start, size - 4);
        ByteBuffer.wrap(bytes).putInt(start + size - 4, crc);
      }
      default -> { }
    }
    VerificationResult structure =
        ImageVerifier.verify(ImageParser.parse(bytes.clone(), "tampered"));
    assertTrue(structure.passed(), "the tampered image must stay structurally valid: "
        + structure.errors());
    return bytes;
  }

  @Test
  void kilnVerifyWithTheTrustedKeyRejectsTheTamperedImage() {
    Run verify = kiln("verify", tampered.toString(), "--trust-image-keys");
    assertEquals(ExitCodes.CHECK_FAILED, verify.exitCode(), verify.out() + verify.err());
  }

  @Test
  void refusedByThePrecheck(@TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), running);
    Run burn = kiln("burn", "--device", device, tampered.toString(), "--yes", "--read-back");
    assertEquals(ExitCodes.CHECK_FAILED, burn.exitCode(), burn.err());
    assertTrue(burn.err().contains("refused before writing anything"), burn.err());
    assertTrue(burn.err().contains("[BAD_SIGNATURE]"), burn.err());
    BurnRefusalTest.assertStillRunsTheOldImage(device);
  }

  @Test
  void refusedByTheDeviceWhenThePrecheckIsSkipped(@TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), running);
    Run burn =
        // A tampered signature does not verify with the image's own key either (key lock-out):
        // the override lets the device judge it.
        kiln("burn", "--device", device, tampered.toString(), "--yes", "--skip-precheck",
            "--allow-key-lockout");
    assertEquals(ExitCodes.CHECK_FAILED, burn.exitCode(), burn.err() + burn.out());
    assertTrue(
        burn.err().contains("the device refused the image: signature check failed"), burn.err());
    assertTrue(burn.err().contains("MCC error 0x"), burn.err());
    BurnRefusalTest.assertStillRunsTheOldImage(device);
  }
}
