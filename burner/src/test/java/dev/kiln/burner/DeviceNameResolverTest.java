package dev.kiln.burner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.host.Sysfs;
import dev.kiln.testkit.FakeSysfs;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mstflint-style device names resolved against a fake sysfs tree. */
class DeviceNameResolverTest {
  @TempDir Path dir;
  DeviceNameResolver resolver;

  @BeforeEach
  void host() {
    FakeSysfs sysfs =
        new FakeSysfs(dir)
            .function("0000:03:00.0", 0x15b3, 0x101d)
            .function("0000:03:00.1", 0x15b3, 0x101d)
            .function("0000:82:00.0", 0x15b3, 0x101d)
            .rdma("0000:03:00.0", "mlx5_0")
            .rdma("0000:82:00.0", "mlx5_2");
    resolver = new DeviceNameResolver(new Sysfs(sysfs.root()));
  }

  private String resolve(String name) {
    return resolver.parse(name).text();
  }

  @Test
  void barePciAddressesAreThePciForm() {
    assertEquals("pci:0000:03:00.0", resolve("03:00.0"));
    assertEquals("pci:0000:03:00.0", resolve("0000:03:00.0"));
    assertEquals("pci:0001:0a:1f.7", resolve("0001:0A:1f.7"));
    assertEquals("pci:0000:03:00.0", resolve("/sys/bus/pci/devices/0000:03:00.0/config"));
    assertEquals("pci:0000:03:00.0", resolve("/sys/bus/pci/devices/0000:03:00.0"));
  }

  @Test
  void rdmaNamesFollowTheirSysfsLink() {
    assertEquals("pci:0000:03:00.0", resolve("mlx5_0"));
    assertEquals("pci:0000:82:00.0", resolve("mlx5_2"));
  }

  @Test
  void mstNamesCountAdaptersOfTheirDeviceId() {
    assertEquals("pci:0000:03:00.0", resolve("/dev/mst/mt4125_pciconf0"));
    assertEquals("pci:0000:03:00.1", resolve("/dev/mst/mt4125_pciconf0.1"));
    assertEquals("pci:0000:82:00.0", resolve("/dev/mst/mt4125_pciconf1"));
  }

  @Test
  void uriFormsStillParse() {
    assertEquals("pci:0000:03:00.0", resolve("pci:03:00.0"));
    assertEquals("tcp://127.0.0.1:4711", resolve("tcp://127.0.0.1:4711"));
    assertEquals("emu:/tmp/dev0", resolve("emu:/tmp/dev0"));
  }

  @Test
  void unresolvedNamesSuggestThePciFormInOneLine() {
    for (String name :
        new String[] {"mlx5_7", "/dev/mst/mt4125_pciconf5", "/dev/mst/mt4125_pciconf0.3",
            "/dev/mst/mt4125_pci_cr0", "eth0"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> resolver.parse(name), name);
      assertTrue(e.getMessage().contains("pci:DDDD:BB:DD.F"), e.getMessage());
      assertTrue(e.getMessage().contains("kiln devices"), e.getMessage());
      assertTrue(e.getMessage().contains(name), e.getMessage());
      assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
  }
}
