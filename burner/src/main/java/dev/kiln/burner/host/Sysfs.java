package dev.kiln.burner.host;

import java.nio.file.Path;

/**
 * The sysfs tree kiln reads the host's PCI functions and RDMA device names from: {@code /sys}, or
 * the directory named by the system property {@value #ROOT_PROPERTY} (a hidden switch for tests,
 * which build a fake tree of the same shape; never documented to operators).
 *
 * @param root the directory that plays {@code /sys}
 */
public record Sysfs(Path root) {
  /** System property naming another directory to read as {@code /sys}. */
  public static final String ROOT_PROPERTY = "kiln.sysfs.root";

  /** {@code /sys}, unless {@value #ROOT_PROPERTY} names another root. */
  public static Sysfs system() {
    String override = System.getProperty(ROOT_PROPERTY);
    return new Sysfs(Path.of(override == null || override.isBlank() ? "/sys" : override));
  }

  /** {@code bus/pci/devices}: one entry per PCI function, named by its address. */
  public Path pciDevices() {
    return root.resolve("bus").resolve("pci").resolve("devices");
  }

  /** {@code class/infiniband}: one entry per RDMA device ({@code mlx5_0}, ...). */
  public Path infiniband() {
    return root.resolve("class").resolve("infiniband");
  }
}
