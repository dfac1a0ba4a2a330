package dev.kiln.burner;

import dev.kiln.burner.pci.PciTransport;
import dev.kiln.burner.pci.SysfsConfigSpace;
import dev.kiln.burner.replay.ReplayTransport;
import dev.kiln.burner.transport.TcpTransport;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import dev.kiln.registers.pci.ConfigSpace;
import java.nio.file.Path;

/**
 * Opens the transport a {@link DeviceUri} names. {@code tcp://}, {@code pci:} and {@code replay:}
 * are built in;
 * {@code emu:} needs the emulator, which the burner does not depend on, so the caller (the CLI)
 * supplies an {@link EmulatorOpener}.
 */
public final class Devices {
  /** Connect and reply timeout of the TCP transport. */
  public static final int TCP_TIMEOUT_MILLIS = 30_000;

  private Devices() {}

  /** Opens an in-process emulated device from its state directory. */
  @FunctionalInterface
  public interface EmulatorOpener {
    RegisterTransport open(Path directory) throws TransportException;
  }

  /** Opens the config space of a PCI function (sysfs in production; tests substitute). */
  @FunctionalInterface
  public interface ConfigSpaceOpener {
    ConfigSpace open(String bdf) throws TransportException;
  }

  /**
   * Opens {@code uri}.
   *
   * @param emulator opens {@code emu:} devices; null when none is available
   * @param configSpaces opens PCI config spaces; null for the sysfs layer
   */
  public static RegisterTransport open(
      DeviceUri uri, EmulatorOpener emulator, ConfigSpaceOpener configSpaces, Sleeper sleeper)
      throws TransportException {
    if (uri instanceof DeviceUri.Emulated emulated) {
      if (emulator == null) {
        throw new TransportException("emu: devices are not available in this build");
      }
      return emulator.open(emulated.directory());
    }
    if (uri instanceof DeviceUri.Tcp tcp) {
      if (tcp.tokenFile() == null) {
        throw new TransportException(
            tcp.text() + ": the daemon needs its token: give --token-file DIR/daemon.token or"
                + " the device as " + tcp.text() + "?token-file=DIR/daemon.token");
      }
      return TcpTransport.connect(tcp.host(), tcp.port(), TCP_TIMEOUT_MILLIS, tcp.tokenFile());
    }
    if (uri instanceof DeviceUri.Replay replay) {
      return ReplayTransport.open(replay.file());
    }
    DeviceUri.Pci pci = (DeviceUri.Pci) uri;
    ConfigSpace config =
        configSpaces == null ? SysfsConfigSpace.open(pci.bdf()) : configSpaces.open(pci.bdf());
    return PciTransport.open(config, sleeper, ownerId());
  }

  /** The semaphore owner id: the process id, as mstflint uses, never 0. */
  private static int ownerId() {
    int pid = (int) ProcessHandle.current().pid();
    return pid == 0 ? 1 : pid;
  }
}
