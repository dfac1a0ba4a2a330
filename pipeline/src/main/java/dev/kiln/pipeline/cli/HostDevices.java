package dev.kiln.pipeline.cli;

import dev.kiln.burner.DeviceUri;
import dev.kiln.burner.host.PciAdapter;
import dev.kiln.burner.host.PciAdapters;
import dev.kiln.burner.host.Sysfs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The devices {@code kiln devices} and {@code kiln update} work on: the host's Mellanox PCI
 * functions ({@link PciAdapters}, from sysfs) and the devices named with {@code --device} (any
 * URI, emulated ones included), each once, host adapters first in address order.
 */
final class HostDevices {
  private HostDevices() {}

  /**
   * A device to work on.
   *
   * @param uri how it is opened
   * @param adapter its sysfs entry, when it is one of the host's PCI functions
   */
  record Entry(DeviceUri uri, Optional<PciAdapter> adapter) {}

  /** The host's adapters, then the named devices that are not among them. */
  static List<Entry> hostAndNamed(List<DeviceUri> named) {
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (PciAdapter adapter : adapters()) {
      DeviceUri uri = DeviceUri.parse(adapter.uri());
      entries.put(uri.text(), new Entry(uri, Optional.of(adapter)));
    }
    for (DeviceUri uri : named) {
      entries.putIfAbsent(uri.text(), new Entry(uri, Optional.empty()));
    }
    return List.copyOf(entries.values());
  }

  /** The named devices, or the host's adapters when none is named. */
  static List<Entry> namedOrHost(List<DeviceUri> named) {
    if (named.isEmpty()) {
      return hostAndNamed(List.of());
    }
    Map<String, PciAdapter> adapters = new LinkedHashMap<>();
    for (PciAdapter adapter : adapters()) {
      adapters.put(adapter.uri(), adapter);
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (DeviceUri uri : named) {
      entries.putIfAbsent(
          uri.text(), new Entry(uri, Optional.ofNullable(adapters.get(uri.text()))));
    }
    return new ArrayList<>(entries.values());
  }

  /** The host's adapters; a sysfs that cannot be listed is a device failure (exit 5). */
  private static List<PciAdapter> adapters() {
    Sysfs sysfs = Sysfs.system();
    try {
      return PciAdapters.scan(sysfs);
    } catch (IOException e) {
      throw new CommandFailure(
          ExitCodes.DEVICE,
          "cannot list the host's PCI functions in " + sysfs.pciDevices() + ": " + e.getMessage(),
          e);
    }
  }
}
