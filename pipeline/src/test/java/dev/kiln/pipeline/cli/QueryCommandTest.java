package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.burner.Sleeper;
import dev.kiln.burner.precheck.DeviceProfile;
import dev.kiln.emulator.DeviceServer;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.check.TargetProfiles;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.signer.fs4.KeyUuid;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln query}: the text of a secure device's query and the target-profile JSON. */
class QueryCommandTest {
  @TempDir static Path work;
  static Path v1;
  static Path v2;

  @BeforeAll
  static void build() throws Exception {
    DeviceOptions.sleeper = millis -> {};
    v1 =
        BurnTestImages.signed(
            work,
            SampleFirmware.Spec.secure("22.39.1002")
                .withSecurityVersion(3)
                .withForbidden(List.of(FwVersion.parse("22.40.1000"))),
            "v1");
    v2 =
        BurnTestImages.signed(
            work, SampleFirmware.Spec.secure("22.41.1000").withSecurityVersion(3), "v2");
  }

  @AfterAll
  static void restore() {
    DeviceOptions.sleeper = Sleeper.REAL;
  }

  @Test
  void textShowsWhatFlintShowsOnASecureDevice(@TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), v1);
    Run run = kiln("query", "--device", device);
    assertEquals(0, run.exitCode(), run.err());
    String out = run.out();
    assertTrue(out.contains("Device Type:            ConnectX-6 Dx"), out);
    assertTrue(out.contains("PSID:                   " + SampleFirmware.PSID), out);
    assertTrue(out.contains("FW Version:             22.39.1002"), out);
    assertTrue(out.contains("Security Attributes:    secure-fw"), out);
    assertTrue(out.contains("Default Update Method:  fw_ctrl"), out);
    assertTrue(out.contains("EFUSE Security Ver:     3"), out);
    assertTrue(!out.contains("FW Version(Running)"), out);
    // Both device ids in hex (the PCI one printed in decimal once): 0x101d is CX6DX's.
    assertTrue(out.contains("HW Device ID:           0x212 (PCI device id 0x101d)"), out);
    Run json = kiln("query", "--device", device, "--json", "--no-read-back");
    assertEquals("0x101d", new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(json.out()).get("pciDeviceId").asText(), json.out());
  }

  @Test
  void pendingAndRunningVersionsAfterABurn(@TempDir Path dir) throws Exception {
    // A daemon keeps the device powered between commands, so the image stays pending.
    try (EmulatedDevice emulated = EmulatedDevice.open(BurnTestImages.device(dir.resolve("dev"),
            v1));
        DeviceServer server = DeviceServer.start(emulated, InetAddress.getLoopbackAddress(), 0)) {
      String device = "tcp://127.0.0.1:" + server.port() + "?token-file=" + server.tokenFile();
      assertEquals(0, kiln("burn", "--device", device, v2.toString(), "--yes").exitCode());
      Run run = kiln("query", "--device", device);
      assertEquals(0, run.exitCode(), run.err());
      assertTrue(run.out().contains("FW Version:             22.41.1000"), run.out());
      assertTrue(run.out().contains("FW Version(Running):    22.39.1002"), run.out());
    }
  }

  @Test
  void jsonIsATargetProfileThatCheckReadsBack(@TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), v1);
    Run run = kiln("query", "--device", device, "--json");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode json = new ObjectMapper().readTree(run.out());
    assertEquals("0x212", json.get("hwDeviceId").asText());
    assertEquals(SampleFirmware.PSID, json.get("psid").asText());
    assertEquals(3, json.get("securityVersion").asInt());
    assertTrue(json.get("trustedKeysKnown").asBoolean());
    assertEquals(
        BurnTestImages.TRUSTED.toString(),
        json.get("trustedKeys").get(0).get("uuid").asText());
    assertTrue(json.get("trustedKeys").get(0).get("publicKey").asText().length() > 300);
    assertTrue(json.get("forbiddenVersionsKnown").asBoolean());
    assertEquals("22.40.1000", json.get("forbiddenVersions").get(0).asText());

    // The release pipeline's reader takes it back as the same profile.
    DeviceProfile profile = TargetProfiles.parse(json);
    assertEquals(0x212, profile.hwDeviceId());
    assertEquals(FwVersion.parse("22.39.1002"), profile.runningVersion());
    assertEquals(List.of(FwVersion.parse("22.40.1000")), profile.forbiddenVersions());
    assertEquals(
        KeyUuid.parse(profile.trustedKeys().get(0).uuid()), BurnTestImages.TRUSTED);
  }

  @Test
  void withoutReadBackTheProfileSaysWhatItDoesNotKnow(@TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), v1);
    Run run = kiln("query", "--device", device, "--json", "--no-read-back");
    JsonNode json = new ObjectMapper().readTree(run.out());
    assertTrue(!json.get("trustedKeysKnown").asBoolean());
    assertTrue(!json.get("forbiddenVersionsKnown").asBoolean());
  }

  @Test
  void missingDeviceDirectoryIsExit5(@TempDir Path dir) {
    Run run = kiln("query", "--device", "emu:" + dir.resolve("nothing"));
    assertEquals(ExitCodes.DEVICE, run.exitCode());
    assertTrue(run.err().contains("no such device directory"), run.err());
  }

  @Test
  void missingPciDeviceIsExit5WithAClearMessage() {
    Run run = kiln("query", "--device", "pci:0000:fe:1f.7");
    assertEquals(ExitCodes.DEVICE, run.exitCode());
    assertTrue(run.err().startsWith("kiln: pci:0000:fe:1f.7: no such PCI device"), run.err());
  }
}
