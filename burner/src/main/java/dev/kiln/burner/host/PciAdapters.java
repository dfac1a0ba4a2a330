package dev.kiln.burner.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Mellanox adapters of the host: every PCI function under {@code /sys/bus/pci/devices} whose
 * {@code vendor} file reads {@value #MELLANOX_VENDOR_HEX}, in address order, with the RDMA names
 * the driver gave it ({@code /sys/bus/pci/devices/BDF/infiniband/*}) and its {@code /dev/mst}
 * name.
 *
 * <p>The {@code /dev/mst} names are made by MFT's {@code mst start} (mstflint 4.21 itself has no
 * mst driver and does not parse them: {@code mtcr_ul/mtcr_ul_com.c}, {@code mtcr_parse_name}):
 * {@code mt<PCI device id in decimal>_pciconf<N>} for function 0 of the N-th adapter with that
 * device id (counting by domain:bus:device in address order, from 0), and {@code ...<N>.<F>}
 * for its function F. Kiln derives the same names from sysfs; {@code kiln devices} prints them so
 * the operator sees which address each name resolves to.
 *
 * <p>Sysfs attribute files are tiny; each read is bounded ({@value #MAX_ATTRIBUTE_BYTES} bytes),
 * and an entry whose files cannot be read or parsed is skipped rather than guessed at.
 */
public final class PciAdapters {
  /** The Mellanox PCI vendor id, as sysfs prints it. */
  public static final String MELLANOX_VENDOR_HEX = "0x15b3";

  private static final int MAX_ATTRIBUTE_BYTES = 64;
  private static final Pattern BDF =
      Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\\.[0-7]");
  private static final Pattern HEX16 = Pattern.compile("0x[0-9a-fA-F]{1,4}");

  private PciAdapters() {}

  /**
   * Scans {@code sysfs}. A host without {@code bus/pci/devices} has no adapters.
   *
   * @throws IOException when the directory exists but cannot be listed
   */
  public static List<PciAdapter> scan(Sysfs sysfs) throws IOException {
    Path devices = sysfs.pciDevices();
    if (!Files.isDirectory(devices)) {
      return List.of();
    }
    List<String> addresses = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(devices)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString().toLowerCase(Locale.ROOT);
        if (BDF.matcher(name).matches()) {
          addresses.add(name);
        }
      }
    }
    addresses.sort(Comparator.naturalOrder());
    Map<String, Integer> deviceIds = new LinkedHashMap<>();
    for (String bdf : addresses) {
      Path function = devices.resolve(bdf);
      Optional<String> vendor = attribute(function.resolve("vendor"));
      if (vendor.isEmpty() || !vendor.get().equalsIgnoreCase(MELLANOX_VENDOR_HEX)) {
        continue;
      }
      Optional<String> device = attribute(function.resolve("device"));
      if (device.isEmpty() || !HEX16.matcher(device.get()).matches()) {
        continue;
      }
      deviceIds.put(bdf, Integer.parseInt(device.get().substring(2), 16));
    }
    List<PciAdapter> adapters = new ArrayList<>();
    for (Map.Entry<String, Integer> entry : deviceIds.entrySet()) {
      String bdf = entry.getKey();
      adapters.add(
          new PciAdapter(
              bdf, entry.getValue(), rdmaNames(devices.resolve(bdf)),
              mstName(bdf, entry.getValue(), deviceIds)));
    }
    return List.copyOf(adapters);
  }

  /** {@code /dev/mst/mt<id>_pciconf<N>[.<F>]}, N counting slots with the same device id. */
  private static String mstName(String bdf, int deviceId, Map<String, Integer> deviceIds) {
    String slot = slotOf(bdf);
    List<String> slots = new ArrayList<>();
    for (Map.Entry<String, Integer> other : deviceIds.entrySet()) {
      String otherSlot = slotOf(other.getKey());
      if (other.getValue() == deviceId && !slots.contains(otherSlot)) {
        slots.add(otherSlot); // deviceIds iterates in address order
      }
    }
    char function = bdf.charAt(bdf.length() - 1);
    return "/dev/mst/mt" + deviceId + "_pciconf" + slots.indexOf(slot)
        + (function == '0' ? "" : "." + function);
  }

  /** domain:bus:device, without the function. */
  private static String slotOf(String bdf) {
    return bdf.substring(0, bdf.length() - 2);
  }

  private static List<String> rdmaNames(Path function) throws IOException {
    Path infiniband = function.resolve("infiniband");
    if (!Files.isDirectory(infiniband)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(infiniband)) {
      for (Path entry : entries) {
        names.add(entry.getFileName().toString());
      }
    }
    names.sort(Comparator.naturalOrder());
    return names;
  }

  /** The first line of a sysfs attribute, trimmed; empty if it is missing or unreadable. */
  static Optional<String> attribute(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_ATTRIBUTE_BYTES);
      String text = new String(bytes, StandardCharsets.US_ASCII);
      int newline = text.indexOf('\n');
      return Optional.of((newline < 0 ? text : text.substring(0, newline)).trim());
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
