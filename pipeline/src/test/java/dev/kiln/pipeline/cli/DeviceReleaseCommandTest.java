package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.registers.pci.ConfigSpace;
import dev.kiln.emulator.pci.EmulatedConfigSpace;
import dev.kiln.burner.pci.PciTransport;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.TransportException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln device release} over {@code pci:} (an emulated config space shared by every command,
 * like one adapter): a burner that died holding the update handle and the flash semaphore is
 * cleaned up; a holder that is still running is left alone unless {@code --force}.
 */
class DeviceReleaseCommandTest {
  /** A pid above the kernel's pid_max: no process can have it. */
  static final int DEAD_PID = 4_194_305;

  @AfterEach
  void reset() {
    DeviceOptions.configSpacesForTests = null;
  }

  /** The config space as every command sees it; closing a transport does not power it off. */
  static ConfigSpace shared(EmulatedConfigSpace space) {
    return new ConfigSpace() {
      @Override
      public int readDword(int offset) throws TransportException {
        return space.readDword(offset);
      }

      @Override
      public void writeDword(int offset, int value) throws TransportException {
        space.writeDword(offset, value);
      }

      @Override
      public String describe() {
        return space.describe();
      }

      @Override
      public void close() {}
    };
  }

  /** A host that takes the flash semaphore and the update handle, then stops talking. */
  static void holdAsHost(ConfigSpace space, int pid) throws Exception {
    PciTransport host = PciTransport.open(space, ms -> {}, pid);
    host.lockFlashSemaphore();
    int handle =
        Mcc.decode(
                RegisterEnvelope.request(
                        AccessRegister.MCC, RegisterMethod.GET,
                        Mcc.command(MccInstruction.QUERY, 0, 0, 0).encode())
                    .exchange(host)
                    .payload())
            .updateHandle();
    RegisterEnvelope.request(
            AccessRegister.MCC, RegisterMethod.SET,
            Mcc.command(MccInstruction.LOCK_UPDATE_HANDLE, 0, handle, 0).encode())
        .exchange(host);
  }

  @Test
  void clearsWhatADeadBurnerHeldAndRefusesALiveOne(@TempDir Path dir) throws Exception {
    Path v1 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    Path v2 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.41.1000"), "v2");
    Path deviceDir = BurnTestImages.device(dir.resolve("dev"), v1);
    EmulatedConfigSpace space =
        EmulatedConfigSpace.builder(EmulatorDevices.open(deviceDir)).build();
    try {
      ConfigSpace shared = shared(space);
      DeviceOptions.configSpacesForTests = bdf -> shared;
      String device = "pci:0000:03:00.0";
      assertEquals(0, kiln("device", "release", "--device", device).exitCode());

      holdAsHost(shared, DEAD_PID);
      BurnTestImages.Run busy = kiln("burn", "--device", device, v2.toString(), "--yes");
      assertTrue(busy.exitCode() != 0, busy.out());
      BurnTestImages.Run released = kiln("device", "release", "--device", device, "--idle", "0");
      assertEquals(0, released.exitCode(), released.err());
      assertTrue(
          released.out().contains("the flash semaphore is held by process " + DEAD_PID),
          released.out());
      assertEquals(0, space.semaphoreOwner(0x10), "flash semaphore cleared");
      BurnTestImages.Run burn = kiln("burn", "--device", device, v2.toString(), "--yes");
      assertEquals(0, burn.exitCode(), burn.err() + burn.out());

      // A live holder (this test's own JVM): refused even when idle, released with --force.
      assertEquals(0, kiln("device", "reset", "--device", device).exitCode());
      holdAsHost(shared, (int) ProcessHandle.current().pid());
      BurnTestImages.Run refused = kiln("device", "release", "--device", device, "--idle", "0");
      assertEquals(1, refused.exitCode(), refused.out());
      assertTrue(refused.err().contains("in use by an active owner"), refused.err());
      assertEquals(0, kiln("device", "release", "--device", device, "--force").exitCode());
      assertEquals(0, space.semaphoreOwner(0x10));
      assertEquals(
          0, kiln("burn", "--device", device, v1.toString(), "--yes", "--force").exitCode());
    } finally {
      space.close();
    }
  }
}
