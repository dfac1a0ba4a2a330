package dev.kiln.burner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.BurnOptions;
import dev.kiln.burner.ImageRejectedException;
import dev.kiln.burner.RegisterClient;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.registers.Recording;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.UpdateComponent;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.Mvts;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MVTS before a burn as mstflint handles it ({@code FwOperations::TestAndSetTimeStamp}): the next
 * entry, then (none there) the running one, before LOCK; a stamped version that is not the
 * image's, or a running stamp without a next one, refuses the burn before anything is written.
 */
class TimestampCheckTest {
  static final FwVersion NEW = FwVersion.parse("22.41.1000");
  @TempDir static Path images;
  static Path oldImage;
  static byte[] component;

  @BeforeAll
  static void buildImages() throws Exception {
    oldImage = BurnerImages.build(images, BurnerImages.spec("22.39.1002"));
    Path newImage = BurnerImages.build(images, BurnerImages.spec("22.41.1000"));
    component = UpdateComponent.bytes(ImageParser.parse(newImage));
  }

  static Mvts.Timestamp stamp(FwVersion version) {
    return new Mvts.Timestamp(
        version.major(), version.minor(), version.subminor(), 0x2026, 0x12, 0x04, 0x03, 0x30, 0);
  }

  /** Sets the device's next timestamp entry as {@code mstflint ts set} does. */
  static void setNext(EmulatedDevice device, FwVersion version) throws Exception {
    try (RegisterClient client = new RegisterClient(device.client(), ms -> {}, 10)) {
      assertTrue(client.set(AccessRegister.MVTS, Mvts.set(stamp(version)).encode()).ok());
    }
  }

  /** The register and MCC instruction names of a recording, e.g. {@code MVTS GET}, {@code LOCK}. */
  static List<String> steps(Path recording) throws Exception {
    List<String> steps = new ArrayList<>();
    for (Recording.Transaction transaction : Recording.read(recording)) {
      RegisterEnvelope request = transaction.requestEnvelope();
      if (request.registerId() == AccessRegister.MCC.id()) {
        steps.add(Mcc.decode(request.payload()).instructionCode().name());
      } else if (request.registerId() == AccessRegister.MVTS.id()) {
        boolean running = Mvts.decode(request.payload()).running();
        steps.add("MVTS " + request.method() + (running ? " running" : " next"));
      }
    }
    return steps;
  }

  private static void burn(Path dir, boolean expectRefusal, String message) throws Exception {
    Path recording = dir.resolve("burn.rec");
    try (EmulatedDevice device =
            EmulatedDevice.open(
                dir.resolve("dev"), EmulatedDevice.Options.defaults().withRecording(recording));
        SecureDevice session = SecureDevice.open(device.client(), ms -> {}, "dev")) {
      if (!expectRefusal) {
        session.burn(component, new BurnOptions(true, NEW), BurnProgress.SILENT);
        return;
      }
      ImageRejectedException e =
          assertThrows(
              ImageRejectedException.class,
              () -> session.burn(component, new BurnOptions(true, NEW), BurnProgress.SILENT));
      assertEquals("dev: " + message, e.getMessage());
    }
    assertFalse(steps(recording).contains(MccInstruction.LOCK_UPDATE_HANDLE.name()));
  }

  @Test
  void withoutTimestampsBothEntriesAreReadBeforeLock(@TempDir Path dir) throws Exception {
    BurnerImages.device(dir.resolve("dev"), oldImage);
    burn(dir, false, null);
    List<String> steps = steps(dir.resolve("burn.rec"));
    int lock = steps.indexOf(MccInstruction.LOCK_UPDATE_HANDLE.name());
    assertEquals(
        List.of("MVTS GET next", "MVTS GET running"),
        steps.subList(0, lock).stream().filter(s -> s.startsWith("MVTS")).toList());
    assertTrue(steps.indexOf("MVTS GET running") < lock);
    assertFalse(steps.stream().anyMatch(s -> s.startsWith("MVTS SET")), steps.toString());
  }

  @Test
  void aNextStampForTheImagesVersionLetsTheBurnGoOn(@TempDir Path dir) throws Exception {
    BurnerImages.device(dir.resolve("dev"), oldImage);
    try (EmulatedDevice device = EmulatedDevice.open(dir.resolve("dev"))) {
      setNext(device, NEW);
    }
    burn(dir, false, null);
    List<String> steps = steps(dir.resolve("burn.rec"));
    assertFalse(steps.contains("MVTS GET running"), steps.toString());
  }

  @Test
  void aNextStampForAnotherVersionRefusesTheBurn(@TempDir Path dir) throws Exception {
    BurnerImages.device(dir.resolve("dev"), oldImage);
    try (EmulatedDevice device = EmulatedDevice.open(dir.resolve("dev"))) {
      setNext(device, FwVersion.parse("22.40.0001"));
    }
    burn(dir, true, "Stamped FW version mismatch: 22.40.0001 differs from 22.41.1000");
  }

  @Test
  void aRunningStampWithoutANextOneRefusesTheBurn(@TempDir Path dir) throws Exception {
    BurnerImages.device(dir.resolve("dev"), oldImage);
    try (EmulatedDevice device = EmulatedDevice.open(dir.resolve("dev"))) {
      // Stamp the running version: at the next boot the entry becomes the running one.
      setNext(device, FwVersion.parse("22.39.1002"));
      device.powerCycle();
    }
    burn(
        dir,
        true,
        "No valid timestamp detected. please set a valid timestamp on image/device or reset"
            + " timestamps on device.");
  }
}
