package dev.kiln.pipeline.cli;

import dev.kiln.burner.RecoveryGateway;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.emulator.DeviceMode;
import dev.kiln.emulator.Identification;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import dev.kiln.registers.pldm.PldmEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens {@code emu:DIR} devices: the emulator in-process, powered on from its directory for the
 * length of one command. Each command is therefore a power cycle of the emulated device: an image
 * activated by one {@code kiln burn} already runs at the next command. To keep a device powered
 * between commands (and see the pending state), serve it with {@code kiln device serve} and use
 * {@code tcp://}.
 */
final class EmulatorDevices {
  private EmulatorDevices() {}

  static RegisterTransport open(Path directory) throws TransportException {
    if (!Files.isDirectory(directory)) {
      throw new TransportException(
          "emu:" + directory + ": no such device directory (create one with 'kiln device init')");
    }
    try {
      return new InProcess(directory, EmulatedDevice.open(directory));
    } catch (IOException e) {
      throw new TransportException(
          "emu:" + directory + ": cannot power on the emulated device: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new TransportException(
          "emu:" + directory + ": cannot power on the emulated device: " + e.getMessage(), e);
    }
  }

  /** The emulated device as a register transport with its recovery gateway and PLDM channel. */
  static final class InProcess implements RegisterTransport, RecoveryGateway, PldmEndpoint {
    private final Path directory;
    private final EmulatedDevice device;

    InProcess(Path directory, EmulatedDevice device) {
      this.directory = directory;
      this.device = device;
    }

    @Override
    public byte[] exchange(byte[] request) throws TransportException {
      return device.exchange(request);
    }

    @Override
    public byte[] pldm(byte[] message) throws TransportException {
      return device.pldm(message);
    }

    @Override
    public String describe() {
      return "emu:" + directory;
    }

    @Override
    public Identity identify() {
      Identification identification = device.identify();
      return new Identity(
          identification.mode() == DeviceMode.LIVEFISH,
          identification.pciDeviceId(),
          identification.hwDevId(),
          identification.psid());
    }

    @Override
    public void flashWrite(long address, byte[] data) throws TransportException {
      device.gatewayWrite(address, data);
    }

    @Override
    public void setBootImage(int slot, int size) throws TransportException {
      device.gatewaySetImage(slot, size);
    }

    @Override
    public void powerCycle() throws TransportException {
      try {
        device.powerCycle();
      } catch (IOException e) {
        throw new TransportException(describe() + ": power cycle failed: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() throws TransportException {
      device.close();
    }
  }
}
