package dev.kiln.burner.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.kiln.registers.TransportException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sysfs layer's failure messages. Reading a real adapter needs hardware and root, so only the
 * error paths and a file standing in for a config file are exercised here.
 */
class SysfsConfigSpaceTest {

  @Test
  void missingDeviceIsNamed() {
    TransportException failure =
        assertThrows(TransportException.class, () -> SysfsConfigSpace.open("0000:fe:1f.7"));
    assertTrue(failure.getMessage().startsWith("pci:0000:fe:1f.7: no such PCI device"));
  }

  @Test
  void malformedAddressIsRefused() {
    TransportException failure =
        assertThrows(TransportException.class, () -> SysfsConfigSpace.open("03:00"));
    assertTrue(failure.getMessage().contains("not a PCI address"));
  }

  @Test
  void permissionProblemSaysRootIsNeeded(@TempDir Path root) throws Exception {
    Path config = Files.createDirectories(root.resolve("0000:03:00.0")).resolve("config");
    Files.write(config, new byte[256]);
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("r--r--r--"));
    // Root may open a read-only file for writing, so the open itself cannot fail there.
    assumeFalse("root".equals(System.getProperty("user.name")), "runs as root");
    TransportException failure =
        assertThrows(TransportException.class, () -> SysfsConfigSpace.open(root, "0000:03:00.0"));
    assertTrue(failure.getMessage().contains("needs root"), failure.getMessage());
  }

  @Test
  void errnoOfAFailedOpenBecomesTheCause() {
    Path file = Path.of("/sys/bus/pci/devices/0000:03:00.0/config");
    assertTrue(
        SysfsConfigSpace.openFailure("0000:03:00.0", file, 13, null)
            .getMessage()
            .endsWith("needs root (CAP_SYS_ADMIN)"));
    assertTrue(
        SysfsConfigSpace.openFailure("0000:03:00.0", file, 2, null)
            .getMessage()
            .contains("no such PCI device"));
    assertTrue(
        SysfsConfigSpace.openFailure("0000:03:00.0", file, 5, null)
            .getMessage()
            .contains("errno 5"));
  }

  @Test
  void readsAndWritesLittleEndianDwordsThroughPreadAndPwrite(@TempDir Path root)
      throws Exception {
    Path config = Files.createDirectories(root.resolve("0000:03:00.0")).resolve("config");
    byte[] bytes = new byte[256];
    bytes[0] = (byte) 0xB3;
    bytes[1] = 0x15;
    bytes[2] = 0x1D;
    bytes[3] = 0x10;
    Files.write(config, bytes);
    try (SysfsConfigSpace space = SysfsConfigSpace.open(root, "0000:03:00.0")) {
      assertEquals(0x101D15B3, space.readDword(0));
      space.writeDword(0x40, 0x11223344);
      assertEquals(0x11223344, space.readDword(0x40));
    }
    byte[] after = Files.readAllBytes(config);
    assertEquals(0x44, after[0x40]);
    assertEquals(0x11, after[0x43]);
  }
}
