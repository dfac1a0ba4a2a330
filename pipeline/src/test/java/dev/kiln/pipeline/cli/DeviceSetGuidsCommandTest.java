package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.internal.Mnvda;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.emulator.Recording;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln device set-guids}: flint's {@code sg} on an MCC device is an MNVDA SET of
 * NV_BASE_MAC_GUID (no raw flash write). The emulator does not model MNVDA, so it answers
 * "register not supported"; the test checks the request kiln sends, byte for byte, and that the
 * refusal is one clear line with exit code 5.
 */
class DeviceSetGuidsCommandTest {

  @Test
  void sendsTheBaseMacGuidTlvAndReportsAnUnsupportingDevice(@TempDir Path dir) throws Exception {
    Path v1 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    Path deviceDir = BurnTestImages.device(dir.resolve("dev"), v1);
    Run run =
        kiln("device", "set-guids", "--device", "emu:" + deviceDir, "--guid",
            "0002c90300a1b2c3", "--mac", "0002c9a1b2c3");
    assertEquals(ExitCodes.DEVICE, run.exitCode(), run.out());
    assertTrue(
        run.err().contains("does not support setting GUIDs (MNVDA: Register not supported)"),
        run.err());

    // The same request, recorded by the device.
    Path recording = dir.resolve("sg.rec");
    try (EmulatedDevice device =
        EmulatedDevice.open(
            deviceDir, EmulatedDevice.Options.defaults().withRecording(recording))) {
      device.exchange(
          RegisterEnvelope.request(
                  Mnvda.ID,
                  RegisterMethod.SET,
                  Mnvda.baseMacGuid(0x0002c9a1b2c3L, 0x0002c90300a1b2c3L))
              .encode());
    }
    List<Recording.Transaction> transactions = Recording.read(recording);
    RegisterEnvelope request = transactions.get(0).requestEnvelope();
    assertEquals(0x9024, request.registerId());
    byte[] payload = request.payload();
    assertEquals(16, payload[3]); // TLV data length
    assertEquals(2, payload[7]); // NV_BASE_MAC_GUID
    assertEquals(0x0002c9a1b2c3L, Mnvda.mac(payload));
    assertEquals(0x0002c90300a1b2c3L, Mnvda.guid(payload));
  }

  @Test
  void badValuesAreUsageErrors(@TempDir Path dir) {
    assertEquals(
        ExitCodes.USAGE,
        kiln("device", "set-guids", "--device", "emu:" + dir, "--mac", "zz").exitCode());
    assertEquals(
        ExitCodes.USAGE, kiln("device", "set-guids", "--device", "emu:" + dir).exitCode());
    assertEquals(
        ExitCodes.USAGE,
        kiln("device", "set-guids", "--device", "emu:" + dir, "--mac", "0102c9a1b2c3")
            .exitCode());
  }
}
