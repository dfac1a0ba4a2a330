package dev.kiln.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A directory shaped like the parts of {@code /sys} kiln reads, for tests (the burner's {@code
 * Sysfs} takes its root from the {@code kiln.sysfs.root} system property):
 *
 * <pre>
 * devices/pci0000:00/BDF/{vendor,device,config}     the function (config: 256 zero bytes)
 * devices/pci0000:00/BDF/infiniband/NAME/           an RDMA device of it
 * bus/pci/devices/BDF -> ../../../devices/pci0000:00/BDF
 * class/infiniband/NAME -> ../../devices/pci0000:00/BDF/infiniband/NAME
 * </pre>
 *
 * As in Linux, {@code class/infiniband/NAME/device} then resolves to the function's directory,
 * whose last path element is its address.
 */
public final class FakeSysfs {
  private final Path root;

  public FakeSysfs(Path root) {
    this.root = root;
  }

  /** The directory to pass as {@code kiln.sysfs.root}. */
  public Path root() {
    return root;
  }

  /** Adds a PCI function with the given vendor and device id (as sysfs prints them). */
  public FakeSysfs function(String bdf, int vendor, int device) {
    try {
      Path dir = root.resolve("devices/pci0000:00").resolve(bdf);
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("vendor"), String.format("0x%04x%n", vendor),
          StandardCharsets.US_ASCII);
      Files.writeString(dir.resolve("device"), String.format("0x%04x%n", device),
          StandardCharsets.US_ASCII);
      Files.write(dir.resolve("config"), new byte[256]);
      Path bus = root.resolve("bus/pci/devices");
      Files.createDirectories(bus);
      Files.createSymbolicLink(bus.resolve(bdf), Path.of("../../../devices/pci0000:00", bdf));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Gives the function {@code bdf} (added before) the RDMA device {@code name}. */
  public FakeSysfs rdma(String bdf, String name) {
    try {
      Path dir = root.resolve("devices/pci0000:00").resolve(bdf).resolve("infiniband")
          .resolve(name);
      Files.createDirectories(dir);
      // In Linux the device link sits in the RDMA device's directory and points to the function.
      Files.createSymbolicLink(dir.resolve("device"), Path.of("../../../" + bdf));
      Path classDir = root.resolve("class/infiniband");
      Files.createDirectories(classDir);
      Files.createSymbolicLink(classDir.resolve(name),
          Path.of("../../devices/pci0000:00", bdf, "infiniband", name));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
