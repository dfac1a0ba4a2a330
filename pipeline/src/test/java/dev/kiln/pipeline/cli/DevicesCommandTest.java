package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.burner.Sleeper;
import dev.kiln.burner.host.Sysfs;
import dev.kiln.emulator.pci.EmulatedConfigSpace;
import dev.kiln.burner.pci.SysfsConfigSpace;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln devices} over a fake sysfs tree: a function whose config space is an emulated
 * device answers with its PSID and versions; one whose sysfs config file is the fake tree's plain
 * file (the real {@link SysfsConfigSpace} path) does not, and is listed with the reason; a
 * non-Mellanox function is not listed; an {@code emu:} device named with --device is.
 */
class DevicesCommandTest {
  @TempDir static Path images;
  static Path v1;

  @BeforeAll
  static void build() throws Exception {
    v1 = BurnTestImages.signed(images, SampleFirmware.Spec.secure("22.39.1002"), "v1");
  }

  @BeforeEach
  void fastPolls() {
    DeviceOptions.sleeper = millis -> {};
  }

  @AfterEach
  void restore() {
    DeviceOptions.sleeper = Sleeper.REAL;
    DeviceOptions.configSpacesForTests = null;
    System.clearProperty(Sysfs.ROOT_PROPERTY);
  }

  @Test
  void listsTheHostsAdaptersAndTheNamedDevices(@TempDir Path dir) throws Exception {
    Path answering = BurnTestImages.device(dir.resolve("dev"), v1);
    Path emulated = BurnTestImages.device(dir.resolve("emu"), v1);
    Path sys = dir.resolve("sys");
    new dev.kiln.testkit.FakeSysfs(sys)
        .function("0000:03:00.0", 0x15b3, 0x101d)
        .function("0000:05:00.0", 0x15b3, 0x1017)
        .function("0000:00:1f.0", 0x8086, 0xa1c8)
        .rdma("0000:03:00.0", "mlx5_0");
    System.setProperty(Sysfs.ROOT_PROPERTY, sys.toString());
    DeviceOptions.configSpacesForTests =
        bdf ->
            bdf.equals("0000:03:00.0")
                ? EmulatedConfigSpace.builder(EmulatorDevices.open(answering)).build()
                : SysfsConfigSpace.open(Sysfs.system().pciDevices(), bdf);
    Run text = BurnTestImages.kiln("devices", "--device", "emu:" + emulated);
    assertEquals(0, text.exitCode(), text.err());
    String[] lines = text.out().split("\n");
    assertEquals(5, lines.length, text.out());
    assertTrue(lines[0].startsWith("DEVICE"), lines[0]);
    assertEquals(
        String.format("%-22s %-8s %-16s %-12s %-12s %s", "pci:0000:03:00.0", "0x101d",
            SampleFirmware.PSID, "22.39.1002", "-", "mlx5_0 /dev/mst/mt4125_pciconf0"),
        lines[1]);
    assertTrue(lines[2].startsWith("pci:0000:05:00.0       0x1017   -"), lines[2]);
    assertTrue(lines[2].endsWith("/dev/mst/mt4119_pciconf0"), lines[2]);
    assertTrue(lines[3].startsWith("  does not answer: pci:0000:05:00.0"), lines[3]);
    assertTrue(lines[4].startsWith("emu:" + emulated), lines[4]);
    assertTrue(!text.out().contains("0000:00:1f.0"), text.out());

    Run json = BurnTestImages.kiln("devices", "--json", "--device", "emu:" + emulated);
    assertEquals(0, json.exitCode(), json.err());
    JsonNode devices = new ObjectMapper().readTree(json.out()).get("devices");
    assertEquals(3, devices.size());
    JsonNode first = devices.get(0);
    assertEquals("pci:0000:03:00.0", first.get("device").asText());
    assertEquals("0x101d", first.get("pciDeviceId").asText());
    assertEquals("mlx5_0", first.get("rdmaNames").get(0).asText());
    assertEquals("/dev/mst/mt4125_pciconf0", first.get("mstName").asText());
    assertTrue(first.get("answered").asBoolean());
    assertEquals("ConnectX-6 Dx", first.get("deviceName").asText());
    assertEquals("0x212", first.get("hwDeviceId").asText());
    assertEquals(SampleFirmware.PSID, first.get("psid").asText());
    assertEquals("22.39.1002", first.get("runningVersion").asText());
    assertTrue(first.get("pendingVersion").isNull());
    assertTrue(first.get("error").isNull());
    JsonNode silent = devices.get(1);
    assertTrue(!silent.get("answered").asBoolean());
    assertEquals("0x1017", silent.get("pciDeviceId").asText());
    assertTrue(silent.get("error").asText().startsWith("pci:0000:05:00.0"), silent.toString());
    assertTrue(devices.get(2).get("mstName").isNull());
    assertEquals("emu:" + emulated, devices.get(2).get("device").asText());
  }

  @Test
  void aHostWithoutAdaptersSaysSo(@TempDir Path dir) {
    System.setProperty(Sysfs.ROOT_PROPERTY, dir.toString());
    Run run = BurnTestImages.kiln("devices");
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().startsWith("No adapters:"), run.out());
    Run json = BurnTestImages.kiln("devices", "--json");
    assertEquals("{\"devices\":[]}", json.out().replaceAll("\\s", ""));
  }
}
