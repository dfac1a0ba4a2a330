package dev.kiln.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.inspector.section.FwVersion;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.MccErrorCode;
import dev.kiln.registers.Mirc;
import dev.kiln.registers.RegisterMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Power loss at every fault point of a burn and of a reactivation (in-process): the next power-on
 * boots a valid image, the one the fail-safe order promises, with exactly one slot carrying the
 * magic.
 */
class PowerLossInProcessTest {
  static final FwVersion V1 = new FwVersion(22, 41, 1000);
  static final FwVersion V2 = new FwVersion(22, 42, 1010);
  @TempDir static Path work;
  static byte[] v1;
  static byte[] v2;

  @BeforeAll
  static void images() throws Exception {
    v1 = TestImages.build(work, TestImages.spec(22, 41, 1000));
    v2 = TestImages.build(work, TestImages.spec(22, 42, 1010));
  }

  static Stream<Arguments> burnPoints() {
    return Stream.of(
        Arguments.of(FaultPoint.MCDA_CHUNK, 1, V1),
        Arguments.of(FaultPoint.MCDA_CHUNK, 4000, V1),
        Arguments.of(FaultPoint.VERIFY_SLOT_HALF_WRITTEN, 1, V1),
        Arguments.of(FaultPoint.VERIFY_SLOT_WRITTEN, 1, V1),
        Arguments.of(FaultPoint.ACTIVATE_MAGIC_WRITTEN, 1, V1),
        Arguments.of(FaultPoint.ACTIVATE_POINTER_SWITCHED, 1, V2),
        Arguments.of(FaultPoint.ACTIVATE_OLD_INVALIDATED, 1, V2));
  }

  @ParameterizedTest(name = "{0} #{1} -> {2}")
  @MethodSource("burnPoints")
  void powerLossDuringBurn(FaultPoint point, int nth, FwVersion expected, @TempDir Path dir)
      throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    EmulatedDevice device =
        EmulatedDevice.open(
            dir,
            EmulatedDevice.Options.defaults().withFaults(FaultInjector.powerLossAt(point, nth)));
    PowerLossException lost =
        assertThrows(PowerLossException.class, () -> new SimpleHost(device).burn(v2));
    assertEquals(point, lost.point());
    try (EmulatedDevice after = EmulatedDevice.open(dir)) {
      assertEquals(DeviceMode.SECURE_FW, after.mode());
      assertEquals(Optional.of(expected), after.runningVersion());
      assertEquals(1, slotsWithMagic(dir), "exactly one bootable slot after boot");
      // The device is fully usable: burn again (or the other image) and reset.
      byte[] next = expected.equals(V1) ? v2 : v1;
      assertEquals(MccErrorCode.OK, new SimpleHost(after).burn(next));
      new SimpleHost(after).reset();
      assertEquals(DeviceMode.SECURE_FW, after.mode());
    }
  }

  @Test
  void powerLossDuringBootRepairIsRepairedNextTime(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    EmulatedDevice device =
        EmulatedDevice.open(
            dir,
            EmulatedDevice.Options.defaults()
                .withFaults(FaultInjector.powerLossAt(FaultPoint.ACTIVATE_MAGIC_WRITTEN, 1)));
    assertThrows(PowerLossException.class, () -> new SimpleHost(device).burn(v2));
    assertEquals(2, slotsWithMagic(dir), "both slots valid: the half-finished switch");
    assertThrows(
        PowerLossException.class,
        () ->
            EmulatedDevice.open(
                dir,
                EmulatedDevice.Options.defaults()
                    .withFaults(FaultInjector.powerLossAt(FaultPoint.BOOT_REPAIR, 1))));
    try (EmulatedDevice after = EmulatedDevice.open(dir)) {
      assertEquals(Optional.of(V1), after.runningVersion());
      assertEquals(1, slotsWithMagic(dir));
    }
  }

  static Stream<Arguments> reactivatePoints() {
    return Stream.of(
        Arguments.of(FaultPoint.REACTIVATE_MAGIC_WRITTEN, V2),
        Arguments.of(FaultPoint.REACTIVATE_POINTER_SWITCHED, V1));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("reactivatePoints")
  void powerLossDuringReactivation(FaultPoint point, FwVersion expected, @TempDir Path dir)
      throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), v1);
    try (EmulatedDevice device = EmulatedDevice.open(dir)) {
      SimpleHost host = new SimpleHost(device);
      assertEquals(MccErrorCode.OK, host.burn(v2));
      host.reset();
    }
    EmulatedDevice device =
        EmulatedDevice.open(
            dir, EmulatedDevice.Options.defaults().withFaults(FaultInjector.powerLossAt(point, 1)));
    assertThrows(
        PowerLossException.class,
        () ->
            new SimpleHost(device)
                .access(AccessRegister.MIRC, RegisterMethod.SET, new Mirc(0).encode()));
    try (EmulatedDevice after = EmulatedDevice.open(dir)) {
      assertEquals(Optional.of(expected), after.runningVersion());
      assertEquals(1, slotsWithMagic(dir));
    }
  }

  static int slotsWithMagic(Path dir) throws Exception {
    byte[] flash = Files.readAllBytes(dir.resolve(EmulatedDevice.FLASH_FILE));
    byte[] magic = {0x4D, 0x54, 0x46, 0x57, (byte) 0xAB, (byte) 0xCD, (byte) 0xEF, 0x00};
    int count = 0;
    for (int slot = 0; slot < 2; slot++) {
      int at = slot * flash.length / 2;
      if (Arrays.equals(flash, at, at + 8, magic, 0, 8)) {
        count++;
      }
    }
    return count;
  }
}
