package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.emulator.DeviceIdentity;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.emulator.pcifunction.EmulatedPciExec;
import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ReleaseDate;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Mnvda;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.testkit.Mstflint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The unmodified Debian mstflint 4.21 against our emulated secure-FW device, served as the PCI
 * function 0000:03:00.0: the burn through {@code kiln device exec DIR -- sh -c "mstflint -d
 * 0000:03:00.0 ..."} itself, the other cases through {@link EmulatedPciExec}, which serves the
 * function in this JVM exactly as {@code kiln device exec} does (same FUSE config space, same
 * private mount namespace) and saves a JVM start per case. mstflint
 * queries it, burns a signed image into it, is refused with its own specific messages, sets GUIDs
 * through the controlled path, and fails on every command a secure-FW adapter blocks. Each
 * expected line is what mstflint prints for that case; which check produces it (mstflint's own or
 * the device's) is said next to it, with the mstflint source (docs/emulator.md, "mstflint
 * against the emulator").
 *
 * <p>Needs root, /dev/fuse, util-linux unshare and mstflint; fails (never skips) without them.
 */
class MstflintSecureDeviceTest {
  private static final String BDF = EmulatedPciExec.BDF;
  /** The running image: 22.41.1000, security version 3, forbids 22.40.0500. */
  private static final SampleFirmware.Spec RUNNING =
      SampleFirmware.Spec.secure("22.41.1000")
          .withSecurityVersion(3)
          .withForbidden(List.of(new FwVersion(22, 40, 500)));
  private static final String PART_NUMBER = "MCX623106AN-CDAT";
  private static final String DESCRIPTION = "ConnectX-6 Dx EN adapter card, 100GbE (emulated)";

  @TempDir static Path work;
  static Path running;
  static Path newer;
  static final Map<String, Path> refused = new HashMap<>();
  static Path fourBytes;

  /** The running spec at another version (same PSID, device, security version, forbidden). */
  private static SampleFirmware.Spec at(String version) {
    return new SampleFirmware.Spec(
        RUNNING.device(), RUNNING.psid(), FwVersion.parse(version), RUNNING.securityVersion(),
        true, RUNNING.forbidden());
  }

  /** Part number, description and a release date in IMAGE_INFO. */
  private static Consumer<ImageDescription.Builder> info(String releaseDate) {
    return builder ->
        builder
            .partNumber(PART_NUMBER)
            .description(DESCRIPTION)
            .releaseDate(ReleaseDate.of(LocalDate.parse(releaseDate)));
  }

  private static Path signed(SampleFirmware.Spec spec, String name) throws Exception {
    return BurnTestImages.signed(
        work, spec, name, BurnTestImages.TRUSTED.toString(), info("2026-06-01"));
  }

  @BeforeAll
  static void images() throws Exception {
    running =
        BurnTestImages.signed(
            work, RUNNING, "running", BurnTestImages.TRUSTED.toString(), info("2026-01-15"));
    newer = signed(at("22.42.1010"), "newer");
    refused.put("unsigned", BurnTestImages.unsigned(work, at("22.42.1010"), "unsigned"));
    refused.put("wrong PSID", signed(at("22.42.1010").withPsid("MT_0000000999"), "psid"));
    refused.put("another device", signed(at("22.42.1010").withDevice(DeviceType.CX7), "cx7"));
    refused.put("forbidden version", signed(at("22.40.0500"), "forbidden"));
    refused.put(
        "security version below the eFuses",
        signed(at("22.42.1010").withSecurityVersion(2), "rollback"));
    fourBytes = Files.write(work.resolve("four.bin"), new byte[] {1, 2, 3, 4});
  }

  private static Path device(Path dir) throws Exception {
    return BurnTestImages.device(dir.resolve("device"), running);
  }

  /** Runs a shell script in the namespace where {@code device} is the PCI function. */
  private static Mstflint.Result sh(Path device, String script) {
    return EmulatedPciExec.run(device, BDF, List.of("sh", "-c", script));
  }

  /** {@code mstflint -d BDF ARGS}, shell-quoted. */
  private static String mstflint(String... args) {
    return Stream.concat(
            Stream.of(Mstflint.require().binary().toString(), "-d", BDF), Stream.of(args))
        .map(MstflintSecureDeviceTest::quote)
        .collect(Collectors.joining(" "));
  }

  private static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }

  private static String lastLine(String text) {
    List<String> lines = text.lines().filter(line -> !line.isBlank()).toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }

  /** The value column of a {@code Name: value} line, as {@link Mstflint.Result#field} in text. */
  private static String field(String text, String name) {
    return new Mstflint.Result(0, text, "").field(name);
  }

  /** MNVDA GET of one TLV with the room mstflint offers (64 bytes), straight from the device. */
  private static Mnvda nvRead(EmulatedDevice device, int type, boolean factory) throws Exception {
    Mnvda request =
        new Mnvda(factory ? Mnvda.DEFAULT_BIT : 0, type, new byte[64]);
    return Mnvda.decode(
        RegisterEnvelope.request(AccessRegister.MNVDA, RegisterMethod.GET, request.encode())
            .exchange(device)
            .payload());
  }

  @Test
  void queryAndQueryFullPrintWhatTheDeviceStateSays(@TempDir Path dir) throws Exception {
    Path device = device(dir);
    Mstflint.Result query = sh(device, mstflint("query"));
    Mstflint.Result full = sh(device, mstflint("query", "full"));
    assertEquals(0, query.exitCode(), query.output());
    assertEquals(0, full.exitCode(), full.output());

    try (EmulatedDevice emulated = EmulatedDevice.open(device)) {
      DeviceIdentity identity = emulated.identity();
      Mnvda current = nvRead(emulated, Mnvda.NV_BASE_MAC_GUID, false);
      Mnvda counts = nvRead(emulated, Mnvda.NV_BASE_MAC_GUID_CAP, false);
      String guidLine =
          String.format(Locale.ROOT, "%016x        %d", current.guid(), counts.allocatedGuids());
      String macLine =
          String.format(Locale.ROOT, "%012x            %d", current.mac(), counts.allocatedMacs());
      for (Mstflint.Result result : List.of(query, full)) {
        String out = result.stdout();
        assertEquals("FS4", field(out, "Image type"), out);
        assertEquals(emulated.runningVersion().orElseThrow().toString(),
            field(out, "FW Version"), out);
        assertEquals("15.1.2026", field(out, "FW Release Date"), out);
        assertEquals(identity.psid(), field(out, "PSID"), out);
        assertEquals(guidLine, field(out, "Base GUID"), out);
        assertEquals(macLine, field(out, "Base MAC"), out);
        // secure_fw and signed_fw in the running image's IMAGE_INFO (MGIR's secured bits).
        assertEquals("secure-fw", field(out, "Security Attributes"), out);
        assertNull(field(out, "FW Version(Running)"), "nothing is pending: " + out);
      }
      assertEquals("0002c90300abcdef        8", field(query.stdout(), "Base GUID"));
      assertEquals("0002c9abcdef            8", field(query.stdout(), "Base MAC"));
      String out = full.stdout();
      assertEquals(PART_NUMBER, field(out, "Part Number"), out);
      assertEquals(DESCRIPTION, field(out, "Description"), out);
      assertEquals("fw_ctrl", field(out, "Default Update Method"), out);
      assertEquals("GA SECURED", field(out, "Life cycle"), out);
      assertEquals("Disabled", field(out, "Secure Boot Capable"), out);
    }
  }

  @Test
  void aSignedImageBurnsIsPendingAndRunsAfterKilnDeviceReset(@TempDir Path dir) throws Exception {
    Path device = device(dir);
    String reset =
        KilnChildProcess.command("device", "reset", "--device", "pci:" + BDF).stream()
            .map(MstflintSecureDeviceTest::quote)
            .collect(Collectors.joining(" "));
    // Through the real `kiln device exec` (its own process), one power-on for the whole
    // sequence: the pending state lives until the reset.
    Mstflint.Result run =
        KilnChildProcess.run("device", "exec", device.toString(), "--", "sh", "-c",
            mstflint("-i", newer.toString(), "-y", "burn") + "; echo \"burn=$?\"; echo ===; "
                + mstflint("query") + "; echo ===; "
                + mstflint("-i", newer.toString(), "-y", "burn") + "; echo \"again=$?\"; "
                + "echo ===; " + reset + "; echo \"reset=$?\"; echo ===; " + mstflint("query"));
    assertEquals(0, run.exitCode(), run.output());
    String[] parts = run.stdout().split("===\n");
    assertEquals(5, parts.length, run.output());

    String burn = parts[0];
    assertTrue(burn.contains("Current FW version on flash:  22.41.1000"), burn);
    assertTrue(burn.contains("New FW version:               22.42.1010"), burn);
    assertTrue(burn.contains("Writing Boot image component -   OK"), burn);
    assertTrue(burn.contains("-I- To load new FW run mstfwreset or reboot machine.\nburn=0"), burn);

    String pending = parts[1];
    assertEquals("22.42.1010", field(pending, "FW Version"), pending);
    assertEquals("22.41.1000", field(pending, "FW Version(Running)"), pending);
    assertEquals("1.6.2026", field(pending, "FW Release Date"), pending);

    // The device refuses BOOT_IMG while an image is pending: MCC BLOCKED_PENDING_RESET (0x09).
    String again = parts[2];
    assertTrue(
        again.contains(
            "-E- Burning FS4 image failed: The firmware image was already updated on flash,"
                + " pending reset.\nagain=1"),
        again);

    String kilnReset = parts[3];
    assertTrue(
        kilnReset.contains(
            "-I- FW was loaded successfully (reset level 0). Running version: 22.42.1010"),
        kilnReset);
    assertTrue(kilnReset.endsWith("reset=0\n"), kilnReset);

    String afterReset = parts[4];
    assertEquals("22.42.1010", field(afterReset, "FW Version"), afterReset);
    assertNull(field(afterReset, "FW Version(Running)"), afterReset);
    try (EmulatedDevice emulated = EmulatedDevice.open(device)) {
      assertEquals("22.42.1010", emulated.runningVersion().orElseThrow().toString());
      assertTrue(emulated.pendingVersion().isEmpty());
    }
  }

  @Test
  void verifyReadsTheRunningImageBackThroughTheControlledPath(@TempDir Path dir)
      throws Exception {
    Path device = device(dir);
    // FsCtrlOperations::FwVerify reads BOOT_IMG with FwCompsMgr::readComponent: first the
    // pending image (none: the device refuses READ_PENDING_COMPONENT, mstflint releases), then,
    // locking again with the handle it read once at start, the running one through MCDA.
    Mstflint.Result verify = sh(device, mstflint("verify"));
    assertEquals(0, verify.exitCode(), verify.output());
    assertEquals("-I- FW image verification succeeded. Image is bootable.",
        lastLine(verify.stdout()), verify.output());
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        // The device: MCC REJECTED_UNSIGNED (0x06); fw_comps_mgr.cpp getLastErrMsg.
        Arguments.of("unsigned", "-E- Burning FS4 image failed: The component is not signed"),
        // mstflint itself, before any MCC: FsCtrlOperations::FwBurnAdvanced -> CheckPSID.
        Arguments.of(
            "wrong PSID",
            "-E- PSID mismatch. The PSID on flash (MT_0000000528) differs from the PSID in the"
                + " given image (MT_0000000999)."),
        // The device: REJECTED_NOT_APPLICABLE (0x03) for an image not listing its HW id.
        Arguments.of("another device", "-E- Burning FS4 image failed: Component is not applicable"),
        // The device: REJECTED_FORBIDDEN_VERSION (0x0F), reaching mstflint through its resend.
        Arguments.of("forbidden version", "-E- Burning FS4 image failed: Forbidden version rejected"),
        // The device: FW_BURN_REJECTED_INVALID_SECURITY_VERSION (0x19), a code mstflint 4.21 does
        // not know (mccErrTrans default), so its message is the generic one.
        Arguments.of(
            "security version below the eFuses", "-E- Burning FS4 image failed: Unknown error code"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void refusedBurnsPrintMstflintsOwnMessageAndChangeNothing(
      String name, String expected, @TempDir Path dir) throws Exception {
    Path device = device(dir);
    byte[] flashBefore = Files.readAllBytes(device.resolve(EmulatedDevice.FLASH_FILE));
    Mstflint.Result burn = sh(device, mstflint("-i", refused.get(name).toString(), "-y", "burn"));
    assertEquals(1, burn.exitCode(), burn.output());
    assertEquals(expected, lastLine(burn.stdout()), burn.output());
    assertArrayEquals(flashBefore, Files.readAllBytes(device.resolve(EmulatedDevice.FLASH_FILE)),
        "a refused image never reaches the flash");
    try (EmulatedDevice emulated = EmulatedDevice.open(device)) {
      assertEquals("22.41.1000", emulated.runningVersion().orElseThrow().toString());
      assertTrue(emulated.pendingVersion().isEmpty());
    }
  }

  @Test
  void setGuidsGoesThroughTheControlledPathAndTheQueryShowsTheNewGuid(@TempDir Path dir)
      throws Exception {
    Path device = device(dir);
    byte[] flashBefore = Files.readAllBytes(device.resolve(EmulatedDevice.FLASH_FILE));
    Mstflint.Result run =
        sh(device,
            mstflint("-y", "-guid", "0x0002c90300000099", "sg") + "; echo \"sg=$?\"; "
                + mstflint("query"));
    assertEquals(0, run.exitCode(), run.output());
    String out = run.stdout();
    assertTrue(
        out.startsWith("-I- To load new configuration run mlxfwreset or reboot machine\nsg=0\n"),
        out);
    assertEquals("0002c90300000099        8", field(out, "Base GUID"), out);
    assertEquals("0002c90300abcdef        8", field(out, "Orig Base GUID"), out);
    assertEquals("0002c9abcdef            8", field(out, "Base MAC"), out);
    // Through MNVDA (FsCtrlOperations::FwSetGuids -> FwCompsMgr::setMacsGuids), not the flash.
    assertArrayEquals(flashBefore, Files.readAllBytes(device.resolve(EmulatedDevice.FLASH_FILE)));
    try (EmulatedDevice emulated = EmulatedDevice.open(device)) {
      Mnvda current = nvRead(emulated, Mnvda.NV_BASE_MAC_GUID, false);
      assertEquals(0x0002c90300000099L, current.guid());
      assertEquals(0x0002c9abcdefL, current.mac());
      assertEquals(0x0002c90300abcdefL, nvRead(emulated, Mnvda.NV_BASE_MAC_GUID, true).guid());
    }
    // NVRAM: the next power-on still reports it.
    assertEquals("0002c90300000099        8",
        sh(device, mstflint("query")).field("Base GUID"));
  }

  static Stream<Arguments> blockedCommands() {
    return Stream.of(
        // Not in the public build at all: cmd_line_parser.cpp registers smg and set_vpd only
        // #ifndef EXTERNAL, so the Debian mstflint says so before it opens any device.
        Arguments.of("smg", List.of("-y", "-uid", "0x0002c90300000099", "smg"),
            "Invalid command: smg"),
        Arguments.of("set_vpd", List.of("-y", "set_vpd", "FOUR_BYTES"),
            "Invalid command: FOUR_BYTES"),
        // mstflint on the controlled (FsCtrl) device: FsCtrlOperations::unsupportedOperation,
        // which names Secure FW when the device's security mode says so.
        Arguments.of("sv", List.of("-y", "-vsd", "kiln", "sv"),
            "-E- Failed to set the VSD: Unsupported operation under Secure FW"),
        Arguments.of("brom", List.of("-y", "brom", "RUNNING"),
            "-E- Burn ROM failed: Unsupported operation under Secure FW"),
        Arguments.of("drom", List.of("-y", "drom"),
            "-E- Remove ROM failed: Unsupported operation under Secure FW"),
        Arguments.of("wb", List.of("-y", "wb", "FOUR_BYTES", "0x0"),
            "-E- write Block Failed. Unsupported operation under Secure FW"),
        // Direct flash access. With -ocr mflash skips the FW and drives the CR-space flash
        // gateway, which a secure device keeps closed (the emulator does not open it at all);
        // without it (rw, ww) mflash goes through the FW, whose flash registers (MFPA/MFBA) the
        // secure device refuses. Either way mflash finds no flash (mflash.c
        // six_gen_flash_init, get_flash_params -> MFE_NO_FLASH_DETECTED); the middle part is
        // strerror(errno) at that point.
        Arguments.of("-ocr", List.of("-y", "-ocr", "query"),
            "-E- Cannot open Device: 0000:03:00.0. No such file or directory."
                + " MFE_NO_FLASH_DETECTED"),
        Arguments.of("rw", List.of("rw", "0x0"),
            "-E- Failed to open Device: No such file or directory. MFE_NO_FLASH_DETECTED"),
        Arguments.of("ww", List.of("-y", "ww", "0x0", "0x0"),
            "-E- Failed to open Device: No such file or directory. MFE_NO_FLASH_DETECTED"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("blockedCommands")
  void commandsASecureAdapterBlocksFailWithMstflintsError(
      String name, List<String> args, String expected, @TempDir Path dir) throws Exception {
    Path device = device(dir);
    byte[] flashBefore = Files.readAllBytes(device.resolve(EmulatedDevice.FLASH_FILE));
    String[] words =
        args.stream()
            .map(arg -> arg.equals("FOUR_BYTES") ? fourBytes.toString() : arg)
            .map(arg -> arg.equals("RUNNING") ? running.toString() : arg)
            .toArray(String[]::new);
    Mstflint.Result result = sh(device, mstflint(words));
    assertEquals(1, result.exitCode(), result.output());
    String line = expected.replace("FOUR_BYTES", fourBytes.toString());
    assertTrue(result.stdout().lines().anyMatch(line::equals),
        "expected the line «" + line + "» in:\n" + result.output());
    assertArrayEquals(flashBefore, Files.readAllBytes(device.resolve(EmulatedDevice.FLASH_FILE)),
        name + " must not change the flash");
  }
}
