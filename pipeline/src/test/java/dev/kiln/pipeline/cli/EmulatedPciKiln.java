package dev.kiln.pipeline.cli;

import dev.kiln.emulator.pci.EmulatedConfigSpace;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * A {@code kiln} entry point for tests that run documented command lines in a child JVM (so they
 * run in the working directory the documentation means): every {@code pci:} device is the emulated
 * PCI function over the emulated device in {@code $KILN_TEST_PCI_DEVICE_DIR} ({@link
 * EmulatedConfigSpace}: VSEC gateway, ICMD mailbox and semaphores as a ConnectX exposes them), the
 * way {@code kiln device exec} serves one. Other device URIs are untouched.
 */
public final class EmulatedPciKiln {
  private EmulatedPciKiln() {}

  public static void main(String[] args) {
    String dir = System.getenv("KILN_TEST_PCI_DEVICE_DIR");
    if (dir != null) {
      Path device = Path.of(dir);
      DeviceOptions.configSpacesForTests =
          bdf -> EmulatedConfigSpace.builder(EmulatorDevices.open(device)).build();
    }
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = KilnCli.run(out, err, args);
    out.flush();
    err.flush();
    System.exit(code);
  }
}
