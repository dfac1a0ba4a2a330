package dev.kiln.pipeline.cli;

import dev.kiln.burner.DeviceNameResolver;
import dev.kiln.burner.DeviceUri;
import dev.kiln.burner.Devices;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.Sleeper;
import dev.kiln.registers.Recording;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The {@code --device DEV} and {@code --record FILE} options shared by every command that talks to
 * a device, and the one place that turns them into an open {@link SecureDevice}.
 *
 * <p>{@code --record FILE} writes every register transaction of the session, as it happens, to
 * FILE in the Kiln recording format ({@link Recording}), whatever the device URI; {@code
 * replay:FILE} plays such a file back.
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
          "The device: emu:DIR, tcp://HOST:PORT, pci:DDDD:BB:DD.F or replay:FILE (a recorded"
              + " session); also BB:DD.F, mlx5_N or /dev/mst/mtNNNN_pciconfN when they resolve.")
  DeviceUri device;

  @Option(
      names = "--record",
      paramLabel = "FILE",
      description =
          "Record every register transaction with the device to FILE (replay it with --device"
              + " replay:FILE). HW access keys are not written.")
  Path record;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "The daemon's token file for a tcp:// device (DIR/daemon.token, written by 'kiln device"
              + " serve'); also tcp://HOST:PORT?token-file=FILE.")
  Path tokenFile;

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

  /** The device URI (a tcp:// device with its token file from {@code --token-file}). */
  public DeviceUri uri() {
    if (tokenFile != null && device instanceof DeviceUri.Tcp tcp) {
      return tcp.withTokenFile(tokenFile);
    }
    return device;
  }

  /** Opens the device's transport (recording it when asked) and wraps it into a session. */
  public SecureDevice open() throws TransportException {
    return open(uri(), record);
  }

  /**
   * Opens any device the way {@link #open()} does (for commands that take several devices).
   *
   * @param record where to record the session's register transactions, or null
   */
  static SecureDevice open(DeviceUri uri, Path record) throws TransportException {
    RegisterTransport transport =
        Devices.open(uri, EmulatorDevices::open, configSpacesForTests, sleeper);
    if (record != null) {
      transport = recorded(transport, record);
    }
    return SecureDevice.open(transport, sleeper, uri.text());
  }

  /** {@code transport} with every exchange written to {@code file}; closes it on failure. */
  static RegisterTransport recorded(RegisterTransport transport, Path file)
      throws TransportException {
    Recording.Recorder recorder;
    try {
      recorder = Recording.Recorder.create(file);
    } catch (IOException e) {
      try {
        transport.close();
      } catch (TransportException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new TransportException(
          "cannot create the recording " + file + ": " + reason(e), e);
    }
    return Recording.recording(transport, recorder);
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "its directory does not exist";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    return String.valueOf(e.getMessage());
  }
}
