package dev.kiln.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ImageInfoFlag;
import dev.kiln.registers.ComponentUpdateState;
import dev.kiln.registers.FsmState;
import dev.kiln.registers.MccErrorCode;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.RegisterStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * VERIFY_COMPONENT rejects what a secure device must reject, with the MCC error of §2.9, and a
 * rejected image changes nothing: same running image, same boot slot, same flash, same NV.
 */
class SecureChecksTest {
  @TempDir static Path work;
  static byte[] running;

  @BeforeAll
  static void images() throws Exception {
    // The running image forbids 22.40.0500 and 22.45.0000-22.45.9999; security version 3.
    running =
        TestImages.build(
            work,
            TestImages.spec(22, 41, 1000)
                .withSecurityVersion(3)
                .withForbidden(
                    new ForbiddenVersions(
                        List.of(
                            ForbiddenVersions.Range.of(new FwVersion(22, 40, 500)),
                            new ForbiddenVersions.Range(
                                new FwVersion(22, 45, 0), new FwVersion(22, 45, 9999))))));
  }

  static Stream<Arguments> rejected() {
    TestImages.Spec good = TestImages.spec(22, 42, 1010).withSecurityVersion(3);
    return Stream.of(
        Arguments.of("untrusted key UUID", good.withSigner(TestImages.Signer.UNKNOWN_UUID),
            MccErrorCode.REJECTED_UNKNOWN_KEY),
        Arguments.of("signature by another key", good.withSigner(TestImages.Signer.WRONG_KEY),
            MccErrorCode.REJECTED_AUTH_FAILED),
        Arguments.of("unsigned", good.withSigner(TestImages.Signer.NONE),
            MccErrorCode.REJECTED_UNSIGNED),
        Arguments.of("wrong PSID", good.withPsid("MT_0000000999"),
            MccErrorCode.REJECTED_NOT_APPLICABLE),
        Arguments.of("wrong device", good.withDevice(DeviceType.CX7),
            MccErrorCode.REJECTED_NOT_APPLICABLE),
        Arguments.of("not secure FW",
            good.withFlags(EnumSet.of(ImageInfoFlag.MCC_EN, ImageInfoFlag.SIGNED_FW)),
            MccErrorCode.REJECTED_NOT_A_SECURED_FW),
        Arguments.of("forbidden version", good.withVersion(22, 40, 500),
            MccErrorCode.REJECTED_FORBIDDEN_VERSION),
        Arguments.of("forbidden range", good.withVersion(22, 45, 17),
            MccErrorCode.REJECTED_FORBIDDEN_VERSION),
        Arguments.of("security version rolled back", good.withSecurityVersion(2),
            MccErrorCode.FW_BURN_REJECTED_INVALID_SECURITY_VERSION));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejected")
  void rejectedImageChangesNothing(String name, TestImages.Spec spec, MccErrorCode expected,
      @TempDir Path dir) throws Exception {
    byte[] candidate = TestImages.build(work, spec);
    EmulatedDevice.create(dir, TestImages.identity(), running);
    try (EmulatedDevice device = EmulatedDevice.open(dir)) {
      byte[] flashBefore = Files.readAllBytes(dir.resolve(EmulatedDevice.FLASH_FILE));
      String nvBefore = Files.readString(dir.resolve(NvState.FILE));
      SimpleHost host = new SimpleHost(device);
      int handle = host.lock();
      host.download(handle, 0, TestImages.component(candidate));
      SimpleHost.MccReply verify = host.mcc(MccInstruction.VERIFY_COMPONENT, 0, handle, 0);
      assertEquals(RegisterStatus.BAD_PARAM, verify.status(), name);
      assertEquals(expected, verify.error(), name);
      assertEquals(FsmState.LOCKED, verify.state());
      // The error stays visible to GETs until the next command.
      assertEquals(expected, host.query().error());
      assertEquals(ComponentUpdateState.FAILED, UpdateFlowTest.mcqs(host, 0).updateState());
      // ACTIVATE has nothing to activate.
      assertEquals(RegisterStatus.BAD_PARAM,
          host.mcc(MccInstruction.ACTIVATE, 0, handle, 0).status());
      assertEquals(RegisterStatus.OK,
          host.mcc(MccInstruction.RELEASE_UPDATE_HANDLE, 0, handle, 0).status());
      host.reset();
      assertEquals(Optional.of(new FwVersion(22, 41, 1000)), device.runningVersion());
      assertTrue(device.pendingVersion().isEmpty());
      assertEquals(0, device.runningSlot());
      assertArrayEquals(flashBefore, Files.readAllBytes(dir.resolve(EmulatedDevice.FLASH_FILE)));
      assertEquals(
          nvBefore.replaceAll("(?m)^(boot_count|next_handle)=.*$", ""),
          Files.readString(dir.resolve(NvState.FILE))
              .replaceAll("(?m)^(boot_count|next_handle)=.*$", ""));
    }
  }

  @Test
  void acceptedImageRaisesTheEfuseSecurityVersionOnceItRuns(@TempDir Path dir) throws Exception {
    byte[] newer = TestImages.build(work, TestImages.spec(22, 42, 1010).withSecurityVersion(5));
    EmulatedDevice.create(dir, TestImages.identity(), running);
    try (EmulatedDevice device = EmulatedDevice.open(dir)) {
      assertEquals(3, device.nvState().efuseSecurityVersion());
      SimpleHost host = new SimpleHost(device);
      assertEquals(MccErrorCode.OK, host.burn(newer));
      assertEquals(3, device.nvState().efuseSecurityVersion());
      host.reset();
      assertEquals(5, device.nvState().efuseSecurityVersion());
      // Rolling back to the old image (security version 3) is now refused.
      assertEquals(MccErrorCode.FW_BURN_REJECTED_INVALID_SECURITY_VERSION, host.burn(running));
    }
  }

  @Test
  void notAnImageIsBadFormat(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), running);
    try (EmulatedDevice device = EmulatedDevice.open(dir)) {
      SimpleHost host = new SimpleHost(device);
      byte[] garbage = new byte[64 * 1024];
      java.util.Arrays.fill(garbage, (byte) 0x5A);
      int handle = host.lock();
      host.download(handle, 0, garbage);
      assertEquals(MccErrorCode.REJECTED_BAD_FORMAT,
          host.mcc(MccInstruction.VERIFY_COMPONENT, 0, handle, 0).error());
    }
  }

  @Test
  void initRefusesAnImageForAnotherBoard(@TempDir Path dir) throws Exception {
    byte[] other = TestImages.build(work, TestImages.spec(22, 41, 1000).withPsid("MT_OTHER"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> EmulatedDevice.create(dir, TestImages.identity(), other));
    assertEquals(
        "image cannot be a first image of this device: image PSID MT_OTHER differs from device"
            + " PSID " + TestImages.PSID,
        e.getMessage());
    IllegalArgumentException unsigned =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                EmulatedDevice.create(
                    dir.resolve("u"),
                    TestImages.identity(),
                    TestImages.build(
                        work, TestImages.spec(22, 41, 1000).withSigner(TestImages.Signer.NONE))));
    assertTrue(unsigned.getMessage().contains("no RSA signature"), unsigned.getMessage());
  }
}
