package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.emulator.DeviceServer;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.registers.Recording;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Mnvda;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln device set-guids}: flint's {@code sg} on an MCC device is an MNVDA SET of
 * NV_BASE_MAC_GUID through the firmware (no raw flash write). The emulated device stores it in its
 * NV configuration; {@code kiln query} shows it, also after the device is powered on again.
 */
class DeviceSetGuidsCommandTest {
  @TempDir Path dir;
  Path deviceDir;

  @BeforeEach
  void device() throws Exception {
    Path v1 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    deviceDir = BurnTestImages.device(dir.resolve("dev"), v1);
  }

  private JsonNode query() throws Exception {
    // Every emu: command powers the device on afresh, so this also shows the value survives.
    Run query = kiln("query", "--device", "emu:" + deviceDir, "--json", "--no-read-back");
    assertEquals(0, query.exitCode(), query.err());
    return new ObjectMapper().readTree(query.out());
  }

  @Test
  void setsTheBaseGuidAndMacThroughTheFirmware() throws Exception {
    // Before: the manufacturing base MAC and the GUID derived from it.
    JsonNode before = query();
    assertEquals("0002c9abcdef", before.get("nvBaseMac").asText(), before.toString());
    assertEquals("0002c90300abcdef", before.get("nvBaseGuid").asText(), before.toString());

    Run run =
        kiln("device", "set-guids", "--device", "emu:" + deviceDir, "--guid",
            "0002c90300a1b2c3", "--mac", "00:02:c9:a1:b2:c3");
    assertEquals(ExitCodes.OK, run.exitCode(), run.err());
    assertTrue(run.out().contains("Base GUID 0002c90300a1b2c3 and base MAC 0002c9a1b2c3 set"),
        run.out());

    JsonNode after = query();
    assertEquals("0002c9a1b2c3", after.get("nvBaseMac").asText());
    assertEquals("0002c90300a1b2c3", after.get("nvBaseGuid").asText());
    Run text = kiln("query", "--device", "emu:" + deviceDir, "--no-read-back");
    assertTrue(text.out().contains("NV Base GUID:           0002c90300a1b2c3"), text.out());
  }

  @Test
  void oneValueKeepsTheOther() throws Exception {
    Run run = kiln("device", "set-guids", "--device", "emu:" + deviceDir, "--mac", "0002c9000001");
    assertEquals(ExitCodes.OK, run.exitCode(), run.err());
    JsonNode after = query();
    assertEquals("0002c9000001", after.get("nvBaseMac").asText());
    assertEquals("0002c90300abcdef", after.get("nvBaseGuid").asText());
  }

  @Test
  void theRequestIsTheBaseMacGuidTlvAndBadValuesAreRefusedByTheDevice() throws Exception {
    Path recording = dir.resolve("sg.rec");
    RegisterEnvelope reply;
    try (EmulatedDevice device =
        EmulatedDevice.open(
            deviceDir, EmulatedDevice.Options.defaults().withRecording(recording))) {
      device.exchange(
          RegisterEnvelope.request(
                  AccessRegister.MNVDA.id(),
                  RegisterMethod.SET,
                  Mnvda.baseMacGuid(0x0002c9a1b2c3L, 0x0002c90300a1b2c3L).encode())
              .encode());
      // A multicast base MAC is refused by the device itself.
      reply =
          RegisterEnvelope.decode(
              device.exchange(
                  RegisterEnvelope.request(
                          AccessRegister.MNVDA.id(),
                          RegisterMethod.SET,
                          Mnvda.baseMacGuid(0x0102c9a1b2c3L, 0x0002c90300a1b2c3L).encode())
                      .encode()));
    }
    assertEquals(RegisterStatus.BAD_PARAM, reply.registerStatus());
    List<Recording.Transaction> transactions = Recording.read(recording);
    RegisterEnvelope request = transactions.get(0).requestEnvelope();
    assertEquals(0x9024, request.registerId());
    byte[] payload = request.payload();
    assertEquals(16, payload[3]); // TLV data length
    assertEquals(2, payload[7]); // NV_BASE_MAC_GUID
    Mnvda tlv = Mnvda.decode(payload);
    assertEquals(0x0002c9a1b2c3L, tlv.mac());
    assertEquals(0x0002c90300a1b2c3L, tlv.guid());
  }

  @Test
  void badValuesAreUsageErrors() {
    assertEquals(
        ExitCodes.USAGE,
        kiln("device", "set-guids", "--device", "emu:" + deviceDir, "--mac", "zz").exitCode());
    assertEquals(
        ExitCodes.USAGE, kiln("device", "set-guids", "--device", "emu:" + deviceDir).exitCode());
    assertEquals(
        ExitCodes.USAGE,
        kiln("device", "set-guids", "--device", "emu:" + deviceDir, "--mac", "0102c9a1b2c3")
            .exitCode());
  }

  @Test
  void setOverTcpSurvivesADaemonRestart() throws Exception {
    try (EmulatedDevice device = EmulatedDevice.open(deviceDir);
        DeviceServer server = DeviceServer.start(device, InetAddress.getLoopbackAddress(), 0)) {
      Run run =
          kiln("device", "set-guids", "--device", "tcp://127.0.0.1:" + server.port() + "?token-file=" + server.tokenFile(), "--guid",
              "0002c90300123456", "--mac", "0002c9123456");
      assertEquals(ExitCodes.OK, run.exitCode(), run.err());
    }
    // A new daemon process state: the device directory is opened again from disk.
    try (EmulatedDevice device = EmulatedDevice.open(deviceDir);
        DeviceServer server = DeviceServer.start(device, InetAddress.getLoopbackAddress(), 0)) {
      Run query =
          kiln("query", "--device", "tcp://127.0.0.1:" + server.port() + "?token-file=" + server.tokenFile(), "--json",
              "--no-read-back");
      assertEquals(0, query.exitCode(), query.err());
      JsonNode after = new ObjectMapper().readTree(query.out());
      assertEquals("0002c9123456", after.get("nvBaseMac").asText());
      assertEquals("0002c90300123456", after.get("nvBaseGuid").asText());
    }
  }
}
