package dev.kiln.pipeline.cli;

import dev.kiln.burner.DeviceNameResolver;
import dev.kiln.burner.DeviceUri;
import dev.kiln.burner.Devices;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.Sleeper;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The {@code --device DEV} option shared by every command that talks to a device, and the one
 * place that turns it into an open {@link SecureDevice}.
 *
 * <p>{@code emu:} devices are opened in-process through {@link EmulatorDevices}; {@code tcp://}
 * and {@code pci:} through the burner. Tests may replace the PCI config-space opener ({@link
 * #configSpacesForTests}) to run the PCI path against an emulated config space.
 */
public final class DeviceOptions {
  /** Test seam: opens PCI config spaces instead of sysfs; null in production. */
  static volatile Devices.ConfigSpaceOpener configSpacesForTests;

  /** Test seam: how the host sleeps between polls and retries; real sleeping in production. */
  static volatile Sleeper sleeper = Sleeper.REAL;

  @Option(
      names = {"-d", "--device"},
      required = true,
      paramLabel = "DEV",
      converter = DeviceUriConverter.class,
      description =
          "The device: emu:DIR, tcp://HOST:PORT or pci:DDDD:BB:DD.F (also BB:DD.F, mlx5_N or"
              + " /dev/mst/mtNNNN_pciconfN when they resolve).")
  DeviceUri device;

  /**
   * Parses device URIs and mstflint-style names ({@link DeviceNameResolver}) for picocli; a bad
   * or unresolvable one is a usage error (exit 2).
   */
  static final class DeviceUriConverter implements CommandLine.ITypeConverter<DeviceUri> {
    @Override
    public DeviceUri convert(String value) {
      try {
        return DeviceNameResolver.system().parse(value);
      } catch (IllegalArgumentException e) {
        throw new BadDevice("--device " + value + ": " + e.getMessage());
      }
    }
  }

  /**
   * A device that does not parse or resolve: its message already says what to type instead, so
   * the usage handler prints it as the one {@code kiln:} line, without picocli's prefix or the
   * "Try --help" line.
   */
  static final class BadDevice extends CommandLine.TypeConversionException {
    private static final long serialVersionUID = 1L;

    BadDevice(String message) {
      super(message);
    }
  }

  /** The device URI. */
  public DeviceUri uri() {
    return device;
  }

  /** Opens the device's transport and wraps it into a session. */
  public SecureDevice open() throws TransportException {
    return open(device);
  }

  /** Opens any device the way {@link #open()} does (for commands that take several). */
  static SecureDevice open(DeviceUri uri) throws TransportException {
    RegisterTransport transport =
        Devices.open(uri, EmulatorDevices::open, configSpacesForTests, sleeper);
    return SecureDevice.open(transport, sleeper, uri.text());
  }
}
