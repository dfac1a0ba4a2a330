package dev.kiln.burner;

import dev.kiln.burner.host.PciAdapter;
import dev.kiln.burner.host.PciAdapters;
import dev.kiln.burner.host.Sysfs;
import dev.kiln.burner.pci.SysfsConfigSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The device names an operator types from mstflint habit, resolved to a {@link DeviceUri}:
 *
 * <ul>
 *   <li>{@code 03:00.0} and {@code 0000:03:00.0} (a bare PCI address) are {@code pci:} devices;
 *   <li>{@code /sys/bus/pci/devices/0000:03:00.0} and {@code .../config} likewise;
 *   <li>{@code mlx5_0} (also {@code mlx4_N}, {@code mthcaN}) is the PCI function its sysfs link
 *       {@code /sys/class/infiniband/NAME/device} points to, by the link's last path element;
 *   <li>{@code /dev/mst/mt4125_pciconf0[.F]} is the adapter {@link PciAdapters} gives that name.
 * </ul>
 *
 * Everything else goes to {@link DeviceUri#parse}. A name of these forms that does not resolve is
 * refused with a message that gives the {@code pci:} form and points to {@code kiln devices}.
 *
 * <p>Sources: mstflint 4.21 {@code mtcr_ul/mtcr_ul_com.c}, {@code mtcr_parse_name} (bare
 * {@code bus:dev.fn} and {@code domain:bus:dev.fn}; a name ending in {@code /config}; {@code
 * mthca}/{@code mlx4_}/{@code mlx5_} names through the {@code /sys/class/infiniband/NAME/device}
 * link's basename). The {@code /dev/mst} names come from MFT, not mstflint (see {@link
 * PciAdapters}).
 */
public final class DeviceNameResolver {
  /** Appended to every refusal: how to name a device that does resolve. */
  static final String HINT =
      "give the adapter as pci:DDDD:BB:DD.F ('kiln devices' lists this host's adapters)";

  private static final Pattern SYSFS_PATH =
      Pattern.compile("/sys/bus/pci/devices/([0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\\.[0-7])"
          + "(?:/config)?/?");
  private static final Pattern RDMA_NAME = Pattern.compile("(?:mthca|mlx4_|mlx5_)[0-9a-fA-F]+");
  private static final Pattern MST_NAME =
      Pattern.compile("/dev/mst/mt([0-9]{1,5})_pciconf([0-9]{1,3})(?:\\.([0-7]))?");

  private final Sysfs sysfs;

  public DeviceNameResolver(Sysfs sysfs) {
    this.sysfs = sysfs;
  }

  /** A resolver reading the host's sysfs ({@link Sysfs#system()}). */
  public static DeviceNameResolver system() {
    return new DeviceNameResolver(Sysfs.system());
  }

  /**
   * Parses a device name or URI.
   *
   * @throws IllegalArgumentException with a one-line message saying what is accepted
   */
  public DeviceUri parse(String text) {
    if (text != null) {
      if (DeviceUri.PCI.matcher(text).matches()) {
        return DeviceUri.parse("pci:" + text);
      }
      Matcher sysfsPath = SYSFS_PATH.matcher(text);
      if (sysfsPath.matches()) {
        return DeviceUri.parse("pci:" + sysfsPath.group(1));
      }
      if (RDMA_NAME.matcher(text).matches()) {
        return rdma(text);
      }
      if (text.startsWith("/dev/mst/")) {
        return mst(text);
      }
    }
    try {
      return DeviceUri.parse(text);
    } catch (IllegalArgumentException e) {
      if (text != null && !text.isBlank() && !text.contains(":")) {
        throw new IllegalArgumentException(
            "unknown device '" + text + "'; " + HINT + ", or emu:DIR, tcp://HOST:PORT", e);
      }
      throw e;
    }
  }

  /** {@code mlx5_0}: the basename of {@code class/infiniband/NAME/device}'s link target. */
  private DeviceUri rdma(String name) {
    Path link = sysfs.infiniband().resolve(name).resolve("device");
    String target;
    try {
      target = Files.readSymbolicLink(link).getFileName().toString().toLowerCase(Locale.ROOT);
    } catch (IOException | UnsupportedOperationException e) {
      throw new IllegalArgumentException(
          "'" + name + "' names no RDMA device on this host (" + link + " is not a link); "
              + HINT, e);
    }
    if (!SysfsConfigSpace.BDF.matcher(target).matches()) {
      throw new IllegalArgumentException(
          "'" + name + "' is not a PCI function (" + link + " points to " + target + "); " + HINT);
    }
    return DeviceUri.parse("pci:" + target);
  }

  /** {@code /dev/mst/mtNNNN_pciconfN[.F]}: the adapter {@link PciAdapters} names so. */
  private DeviceUri mst(String name) {
    if (!MST_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "'" + name + "' is not an mst configuration-cycle device (mtNNNN_pciconfN); " + HINT);
    }
    List<PciAdapter> adapters;
    try {
      adapters = PciAdapters.scan(sysfs);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot list the host's PCI functions to resolve '" + name + "': " + e.getMessage()
              + "; " + HINT, e);
    }
    for (PciAdapter adapter : adapters) {
      if (adapter.mstName().equals(name)) {
        return DeviceUri.parse(adapter.uri());
      }
    }
    throw new IllegalArgumentException(
        "'" + name + "' matches no adapter of this host; " + HINT);
  }
}
