package dev.kiln.burner.host;

import java.util.List;
import java.util.Locale;

/**
 * A Mellanox PCI function of the host, as sysfs lists it.
 *
 * @param bdf its address, {@code dddd:bb:dd.f} in lower case
 * @param pciDeviceId the PCI device id from sysfs {@code device} (e.g. 0x101d for ConnectX-6 Dx)
 * @param rdmaNames the RDMA devices the driver made of it ({@code mlx5_0}); empty without a driver
 * @param mstName the {@code /dev/mst} name MFT's {@code mst start} gives it (see {@link
 *     PciAdapters})
 */
public record PciAdapter(String bdf, int pciDeviceId, List<String> rdmaNames, String mstName) {
  public PciAdapter {
    rdmaNames = List.copyOf(rdmaNames);
  }

  /** The device URI kiln opens it by: {@code pci:dddd:bb:dd.f}. */
  public String uri() {
    return "pci:" + bdf;
  }

  /** The PCI device id as lspci prints it: {@code 0x101d}. */
  public String pciDeviceIdHex() {
    return String.format(Locale.ROOT, "0x%04x", pciDeviceId);
  }
}
