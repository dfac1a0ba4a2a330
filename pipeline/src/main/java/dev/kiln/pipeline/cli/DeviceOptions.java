package dev.kiln.pipeline.cli;

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
      description = "The device: emu:DIR, tcp://HOST:PORT or pci:DDDD:BB:DD.F.")
  DeviceUri device;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "The daemon's token file for a tcp:// device (DIR/daemon.token, written by 'kiln device"
              + " serve'); also tcp://HOST:PORT?token-file=FILE.")
  java.nio.file.Path tokenFile;

  /** Parses device URIs for picocli; a bad URI is a usage error (exit 2). */
  static final class DeviceUriConverter implements CommandLine.ITypeConverter<DeviceUri> {
    @Override
    public DeviceUri convert(String value) {
      try {
        return DeviceUri.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** The device URI (a tcp:// device with its token file from {@code --token-file}). */
  public DeviceUri uri() {
    if (tokenFile != null && device instanceof DeviceUri.Tcp tcp) {
      return tcp.withTokenFile(tokenFile);
    }
    return device;
  }

  /** Opens the device's transport and wraps it into a session. */
  public SecureDevice open() throws TransportException {
    RegisterTransport transport =
        Devices.open(uri(), EmulatorDevices::open, configSpacesForTests, sleeper);
    return SecureDevice.open(transport, sleeper, device.text());
  }
}
