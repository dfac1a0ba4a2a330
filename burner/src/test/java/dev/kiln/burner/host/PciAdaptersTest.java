package dev.kiln.burner.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.testkit.FakeSysfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host's Mellanox functions from a fake sysfs tree. */
class PciAdaptersTest {
  @Test
  void listsMellanoxFunctionsInAddressOrderWithRdmaAndMstNames(@TempDir Path dir)
      throws Exception {
    FakeSysfs sysfs =
        new FakeSysfs(dir)
            .function("0000:81:00.0", 0x15b3, 0x101d)
            .function("0000:03:00.1", 0x15b3, 0x101d)
            .function("0000:03:00.0", 0x15b3, 0x101d)
            .function("0000:00:1f.0", 0x8086, 0xa1c8)
            .function("0000:05:00.0", 0x15b3, 0x1017)
            .rdma("0000:03:00.0", "mlx5_0")
            .rdma("0000:03:00.1", "mlx5_1");
    List<PciAdapter> adapters = PciAdapters.scan(new Sysfs(sysfs.root()));
    assertEquals(
        List.of(
            new PciAdapter("0000:03:00.0", 0x101d, List.of("mlx5_0"), "/dev/mst/mt4125_pciconf0"),
            new PciAdapter("0000:03:00.1", 0x101d, List.of("mlx5_1"),
                "/dev/mst/mt4125_pciconf0.1"),
            new PciAdapter("0000:05:00.0", 0x1017, List.of(), "/dev/mst/mt4119_pciconf0"),
            new PciAdapter("0000:81:00.0", 0x101d, List.of(), "/dev/mst/mt4125_pciconf1")),
        adapters);
    assertEquals("0x101d", adapters.get(0).pciDeviceIdHex());
    assertEquals("pci:0000:03:00.0", adapters.get(0).uri());
  }

  @Test
  void aHostWithoutPciHasNoAdaptersAndGarbageIsSkipped(@TempDir Path dir) throws Exception {
    assertEquals(List.of(), PciAdapters.scan(new Sysfs(dir)));
    FakeSysfs sysfs = new FakeSysfs(dir).function("0000:03:00.0", 0x15b3, 0x101d);
    Files.writeString(dir.resolve("devices/pci0000:00/0000:03:00.0/device"), "banana\n");
    Files.createDirectories(dir.resolve("bus/pci/devices/not-an-address"));
    assertEquals(List.of(), PciAdapters.scan(new Sysfs(sysfs.root())));
  }
}
