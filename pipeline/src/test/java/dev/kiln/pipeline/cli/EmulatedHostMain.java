package dev.kiln.pipeline.cli;

import dev.kiln.emulator.pci.EmulatedConfigSpace;
import dev.kiln.registers.TransportException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code kiln} as a separate process on a host whose adapters are emulated: tests start it with
 * {@code -Dkiln.sysfs.root=FAKE_SYSFS} (the adapters {@code kiln devices} finds) and {@code
 * -Dkiln.test.pci=BDF=DIR,BDF=DIR} (the emulator directory behind each function's PCI gateway),
 * in a working directory of their choice, so that documented command lines run as written.
 */
final class EmulatedHostMain {
  private EmulatedHostMain() {}

  public static void main(String[] args) {
    Map<String, Path> functions = new HashMap<>();
    String spec = System.getProperty("kiln.test.pci", "");
    for (String pair : spec.split(",")) {
      if (!pair.isEmpty()) {
        int equals = pair.indexOf('=');
        functions.put(pair.substring(0, equals), Path.of(pair.substring(equals + 1)));
      }
    }
    DeviceOptions.sleeper = millis -> {};
    DeviceOptions.configSpacesForTests =
        bdf -> {
          Path device = functions.get(bdf);
          if (device == null) {
            throw new TransportException("pci:" + bdf + ": no emulated device behind it");
          }
          return EmulatedConfigSpace.builder(EmulatorDevices.open(device)).build();
        };
    Kiln.main(args);
  }
}
