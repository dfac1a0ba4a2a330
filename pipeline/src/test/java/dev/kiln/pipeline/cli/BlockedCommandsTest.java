package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands a secure device blocks exist and fail with the secure-FW message (exit 5), naming
 * flint's failure text and the blocked mechanism, instead of a protocol error.
 */
class BlockedCommandsTest {
  @TempDir static Path work;
  static String device;

  @BeforeAll
  static void device() throws Exception {
    Path v1 = BurnTestImages.signed(work, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    device = "emu:" + BurnTestImages.device(work.resolve("dev"), v1);
  }

  @ParameterizedTest
  @CsvSource({
    "flash-read, Flash read failed, MFBA",
    "flash-write, write Block Failed, MFBA",
    "flash-erase, Flash erase failed, MFBE",
    "rom-burn, Burn ROM failed, BOOT image modification",
    "rom-remove, Remove ROM failed, BOOT image modification",
    "set-mfg, Failed to set manufacture guids, MFBA",
    "set-vsd, Failed to set the VSD, MFBA",
    "set-vpd, Failed to set VPD, MFBA",
    "flash-gateway, Override cache replacement failed, direct flash gateway"
  })
  void refusedWithTheSecureFwMessage(String command, String failure, String mechanism) {
    Run run = kiln(List.of("device", command, "--device", device).toArray(String[]::new));
    assertEquals(ExitCodes.DEVICE, run.exitCode(), run.err());
    assertTrue(run.err().startsWith("kiln: " + device + ": " + failure
        + ": Unsupported operation under Secure FW"), run.err());
    assertTrue(run.err().contains(mechanism), run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());
  }

  @Test
  void flintsArgumentsAreAcceptedAndTheCommandStillRefuses() {
    Run run = kiln("device", "flash-read", "0x0", "0x100", "--device", device);
    assertEquals(ExitCodes.DEVICE, run.exitCode(), run.err());
    assertTrue(run.err().startsWith("kiln: " + device + ": Flash read failed:"), run.err());
    Run tooMany = kiln("device", "rom-remove", "extra", "--device", device);
    assertEquals(ExitCodes.USAGE, tooMany.exitCode(), tooMany.err());
  }

  @Test
  void deviceHelpListsEveryBlockedCommandWithItsArguments() {
    Run help = kiln("device", "--help");
    assertEquals(0, help.exitCode(), help.err());
    for (BlockedCommands.Kind kind : BlockedCommands.Kind.values()) {
      assertTrue(help.out().contains(kind.commandName + " "), kind + " missing: " + help.out());
    }
    Run one = kiln("device", "flash-write", "--help");
    assertEquals(0, one.exitCode(), one.err());
    assertTrue(one.out().contains("[ADDR DATA...]") || one.out().contains("ADDR DATA"), one.out());
    assertTrue(one.out().contains("Raw flash write (blocked on secure FW)."), one.out());
    assertTrue(one.out().contains("--device"), one.out());
  }
}
