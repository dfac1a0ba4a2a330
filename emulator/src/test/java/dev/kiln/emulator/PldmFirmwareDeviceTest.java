package dev.kiln.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.section.FwVersion;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.MccErrorCode;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.Mlock;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import dev.kiln.registers.TransportException;
import dev.kiln.registers.pldm.ActivateFirmware;
import dev.kiln.registers.pldm.CompleteReport;
import dev.kiln.registers.pldm.CompletionCode;
import dev.kiln.registers.pldm.Descriptor;
import dev.kiln.registers.pldm.FirmwareDeviceState;
import dev.kiln.registers.pldm.FwUpdateCommand;
import dev.kiln.registers.pldm.GetFirmwareParameters;
import dev.kiln.registers.pldm.GetStatus;
import dev.kiln.registers.pldm.PassComponentTable;
import dev.kiln.registers.pldm.PldmMessage;
import dev.kiln.registers.pldm.QueryDeviceIdentifiers;
import dev.kiln.registers.pldm.RequestFirmwareData;
import dev.kiln.registers.pldm.RequestUpdate;
import dev.kiln.registers.pldm.ResultCodes;
import dev.kiln.registers.pldm.TransferFlag;
import dev.kiln.registers.pldm.UpdateComponent;
import dev.kiln.registers.pldm.PldmString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The emulated adapter as a DSP0267 firmware device, message by message (the update agent that
 * drives it end to end is the burner's, tested in the pipeline's PLDM burn tests): its
 * descriptors and parameters, the state machine and its completion codes, the FD-driven
 * transfer, the refusal mapping with the MCC error in GetStatus, and the one-update-path rule
 * against the MCC state machine and the HW access lock.
 */
class PldmFirmwareDeviceTest {
  @TempDir static Path work;
  static byte[] running;
  static byte[] newer;
  static byte[] unsigned;

  @BeforeAll
  static void images() throws Exception {
    running = TestImages.build(work, TestImages.spec(22, 41, 1000));
    newer = TestImages.build(work, TestImages.spec(22, 42, 1010));
    unsigned = TestImages.build(
        work, TestImages.spec(22, 42, 1010).withSigner(TestImages.Signer.NONE));
  }

  /** A UA's side of one client's PLDM channel, one message at a time. */
  static final class Channel {
    final EmulatedDevice device;
    final int client;
    int instance;

    Channel(EmulatedDevice device, int client) {
      this.device = device;
      this.client = client;
    }

    PldmMessage call(FwUpdateCommand command, byte[] payload) throws Exception {
      instance = (instance + 1) & PldmMessage.MAX_INSTANCE_ID;
      PldmMessage response = PldmMessage.decode(
          device.pldm(client, PldmMessage.request(instance, command, payload).encode()));
      assertFalse(response.request());
      assertEquals(instance, response.instanceId());
      assertEquals(command.code(), response.command());
      return response;
    }

    /** Sends {@code bytes} (a response or an empty poll); the FD's next request or null. */
    PldmMessage send(byte[] bytes) throws Exception {
      byte[] next = device.pldm(client, bytes);
      return next.length == 0 ? null : PldmMessage.decode(next);
    }

    GetStatus.Response status() throws Exception {
      return GetStatus.Response.decode(call(FwUpdateCommand.GET_STATUS, new byte[0]).payload());
    }

    /** RequestUpdate, the one component's table entry, UpdateComponent of {@code size} bytes. */
    UpdateComponent.Response start(int size) throws Exception {
      assertEquals(CompletionCode.SUCCESS, requestUpdate().completionCode());
      PldmMessage passed = call(FwUpdateCommand.PASS_COMPONENT_TABLE,
          new PassComponentTable.Request(TransferFlag.START_AND_END, 0x000D, 1, 0, 0,
              PldmString.ascii("22.42.1010")).encode());
      assertEquals(CompletionCode.SUCCESS, passed.completionCode());
      assertArrayEquals(new byte[] {0, 0}, passed.payload(), "can be updated");
      PldmMessage updated = call(FwUpdateCommand.UPDATE_COMPONENT,
          new UpdateComponent.Request(0x000D, 1, 0, 0, size, 0,
              PldmString.ascii("22.42.1010")).encode());
      assertEquals(CompletionCode.SUCCESS, updated.completionCode());
      return UpdateComponent.Response.decode(updated.payload());
    }

    PldmMessage requestUpdate() throws Exception {
      return call(FwUpdateCommand.REQUEST_UPDATE,
          new RequestUpdate.Request(4096, 1, 1, 0, PldmString.ascii("22.42.1010")).encode());
    }

    /** Serves RequestFirmwareData from {@code image} until the FD sends another request. */
    PldmMessage serve(byte[] image, int pieces) throws Exception {
      PldmMessage request = send(new byte[0]);
      for (int served = 0; request.is(FwUpdateCommand.REQUEST_FIRMWARE_DATA)
          && served < pieces; served++) {
        RequestFirmwareData.Request range = RequestFirmwareData.Request.decode(request.payload());
        assertTrue(range.length() <= 4096, "more than the UA's MaximumTransferSize");
        byte[] data = java.util.Arrays.copyOfRange(
            image, (int) range.offset(), (int) (range.offset() + range.length()));
        request = send(PldmMessage.response(request, CompletionCode.SUCCESS, data).encode());
      }
      return request;
    }

    /** Answers an FD report with success; returns the FD's next request or null. */
    PldmMessage acknowledge(PldmMessage report) throws Exception {
      return send(PldmMessage.response(report, CompletionCode.SUCCESS, new byte[0]).encode());
    }
  }

  private static int result(PldmMessage report) throws Exception {
    return CompleteReport.decode(FwUpdateCommand.of(report.command()).orElseThrow(),
        report.payload()).result();
  }

  @Test
  void descriptorsAndParametersAreTheAdaptersOwn(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), running);
    try (EmulatedDevice device = EmulatedDevice.open(dir)) {
      Channel ua = new Channel(device, device.newClientId());
      List<Descriptor> descriptors = QueryDeviceIdentifiers.Response.decode(
          ua.call(FwUpdateCommand.QUERY_DEVICE_IDENTIFIERS, new byte[0]).payload()).descriptors();
      assertEquals(List.of(Descriptor.pciVendorId(0x15B3),
          Descriptor.pciDeviceId(TestImages.identity().type().pciDeviceId()),
          Descriptor.psid(TestImages.identity().psid())), descriptors);
      GetFirmwareParameters.Response parameters = GetFirmwareParameters.Response.decode(
          ua.call(FwUpdateCommand.GET_FIRMWARE_PARAMETERS, new byte[0]).payload());
      assertEquals("22.41.1000", parameters.activeSetVersion().text());
      assertEquals(0, parameters.pendingSetVersion().length());
      GetFirmwareParameters.Component component = parameters.components().get(0);
      assertEquals(0x000D, component.classification());
      assertEquals(1, component.identifier());
      assertEquals((22L << 24) | (41 << 16) | 1000, component.activeComparisonStamp());
      GetStatus.Response idle = ua.status();
      assertEquals(FirmwareDeviceState.IDLE, idle.current());
      assertEquals(GetStatus.REASON_INITIALIZATION, idle.reasonCode());
      // Update commands outside update mode, unknown commands, other PLDM types.
      assertEquals(CompletionCode.NOT_IN_UPDATE_MODE,
          ua.call(FwUpdateCommand.CANCEL_UPDATE, new byte[0]).completionCode());
      assertEquals(CompletionCode.ERROR_UNSUPPORTED_PLDM_CMD, PldmMessage.decode(device.pldm(
          ua.client, new PldmMessage(true, 3, 5, 0x77, -1, new byte[0]).encode()))
          .completionCode());
      assertEquals(CompletionCode.ERROR_INVALID_PLDM_TYPE, PldmMessage.decode(device.pldm(
          ua.client, new PldmMessage(true, 3, 2, 0x01, -1, new byte[0]).encode()))
          .completionCode());
      assertEquals(CompletionCode.ERROR_INVALID_LENGTH, ua.call(FwUpdateCommand.REQUEST_UPDATE,
          new byte[3]).completionCode());
    }
  }

  @Test
  void theDevicePullsTheImageVerifiesAppliesAndActivates(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), running);
    try (EmulatedDevice device = EmulatedDevice.open(dir)) {
      Channel ua = new Channel(device, device.newClientId());
      assertEquals(UpdateComponent.Response.CAN_BE_UPDATED, ua.start(newer.length)
          .compatibilityResponse());
      assertEquals(FirmwareDeviceState.DOWNLOAD, ua.status().current());
      PldmMessage transfer = ua.serve(newer, Integer.MAX_VALUE);
      assertTrue(transfer.is(FwUpdateCommand.TRANSFER_COMPLETE), transfer.toString());
      assertEquals(ResultCodes.TRANSFER_SUCCESS, result(transfer));
      PldmMessage verify = ua.acknowledge(transfer);
      assertTrue(verify.is(FwUpdateCommand.VERIFY_COMPLETE));
      assertEquals(ResultCodes.VERIFY_SUCCESS, result(verify));
      // Nothing on flash before APPLY: the inactive slot is still as it was.
      PldmMessage apply = ua.acknowledge(verify);
      assertTrue(apply.is(FwUpdateCommand.APPLY_COMPLETE));
      assertEquals(ResultCodes.APPLY_SUCCESS, result(apply));
      assertEquals(null, ua.acknowledge(apply));
      assertEquals(FirmwareDeviceState.READY_XFER, ua.status().current());
      PldmMessage activated = ua.call(FwUpdateCommand.ACTIVATE_FIRMWARE,
          new ActivateFirmware.Request(false).encode());
      assertEquals(CompletionCode.SUCCESS, activated.completionCode());
      GetStatus.Response after = ua.status();
      assertEquals(FirmwareDeviceState.IDLE, after.current());
      assertEquals(GetStatus.REASON_ACTIVATE, after.reasonCode());
      assertEquals(Optional.of(new FwVersion(22, 42, 1010)), device.pendingVersion());
      // As after an MCC burn: a second update waits for the reset (vendor code 0xD0 + 0x09).
      UpdateComponent.Response blocked = ua.start(newer.length);
      assertEquals(UpdateComponent.Response.CANNOT_BE_UPDATED, blocked.compatibilityResponse());
      assertEquals(0xD0 + MccErrorCode.BLOCKED_PENDING_RESET.code(),
          blocked.compatibilityResponseCode());
      device.powerCycle();
      assertEquals(Optional.of(new FwVersion(22, 42, 1010)), device.runningVersion());
    }
  }

  @Test
  void aRefusedImageIsReportedInVerifyCompleteAndChangesNothing(@TempDir Path dir)
      throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), running);
    try (EmulatedDevice device = EmulatedDevice.open(dir)) {
      byte[] flashBefore = Files.readAllBytes(dir.resolve(EmulatedDevice.FLASH_FILE));
      Channel ua = new Channel(device, device.newClientId());
      ua.start(unsigned.length);
      PldmMessage transfer = ua.serve(unsigned, Integer.MAX_VALUE);
      PldmMessage verify = ua.acknowledge(transfer);
      assertEquals(ResultCodes.VERIFY_FAILED_FD_SECURITY_CHECKS, result(verify));
      assertEquals(null, ua.acknowledge(verify), "no ApplyComplete after a failed verify");
      GetStatus.Response failed = ua.status();
      assertEquals(FirmwareDeviceState.VERIFY, failed.current());
      assertEquals(GetStatus.AUX_FAILED, failed.auxState());
      assertEquals(0x70 + MccErrorCode.REJECTED_UNSIGNED.code(), failed.auxStateStatus());
      assertEquals(CompletionCode.INVALID_STATE_FOR_COMMAND, ua.call(
          FwUpdateCommand.ACTIVATE_FIRMWARE, new ActivateFirmware.Request(false).encode())
          .completionCode());
      assertEquals(CompletionCode.SUCCESS,
          ua.call(FwUpdateCommand.CANCEL_UPDATE_COMPONENT, new byte[0]).completionCode());
      assertEquals(FirmwareDeviceState.READY_XFER, ua.status().current());
      assertEquals(CompletionCode.INCOMPLETE_UPDATE, ua.call(
          FwUpdateCommand.ACTIVATE_FIRMWARE, new ActivateFirmware.Request(false).encode())
          .completionCode());
      assertEquals(CompletionCode.SUCCESS,
          ua.call(FwUpdateCommand.CANCEL_UPDATE, new byte[0]).completionCode());
      assertArrayEquals(flashBefore, Files.readAllBytes(dir.resolve(EmulatedDevice.FLASH_FILE)));
      assertTrue(device.pendingVersion().isEmpty());
    }
  }

  @Test
  void oneUpdatePathAtATime(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), running);
    try (EmulatedDevice device = EmulatedDevice.open(dir)) {
      Channel ua = new Channel(device, device.newClientId());
      SimpleHost mcc = new SimpleHost(device.client());
      // PLDM in update mode: no MCC handle, and a second UA is turned away.
      ua.start(newer.length);
      int handle = mcc.query().mcc().updateHandle();
      assertEquals(RegisterStatus.DEV_BUSY,
          mcc.mcc(MccInstruction.LOCK_UPDATE_HANDLE, 0, handle, 0).status());
      Channel other = new Channel(device, device.newClientId());
      assertEquals(CompletionCode.ALREADY_IN_UPDATE_MODE, other.requestUpdate().completionCode());
      assertEquals(CompletionCode.COMMAND_NOT_EXPECTED,
          other.call(FwUpdateCommand.CANCEL_UPDATE, new byte[0]).completionCode());
      assertEquals(null, other.send(new byte[0]), "the FD's requests go to its UA only");
      // The UA's connection ends (the daemon calls releaseClient): update mode ends with it.
      ua.serve(newer, 3);
      device.releaseClient(ua.client);
      assertEquals(FirmwareDeviceState.IDLE, other.status().current());
      assertEquals(GetStatus.REASON_CANCEL_UPDATE, other.status().reasonCode());
      // An MCC session holds the path: RequestUpdate cannot start.
      handle = mcc.lock();
      assertEquals(CompletionCode.UNABLE_TO_INITIATE_UPDATE, other.requestUpdate()
          .completionCode());
      mcc.mcc(MccInstruction.RELEASE_UPDATE_HANDLE, 0, handle, 0);
      // The HW access key locks the PLDM path as it locks the MCC path.
      assertEquals(RegisterStatus.OK, mcc.access(AccessRegister.MLOCK, RegisterMethod.SET,
          new Mlock(Mlock.LOCK, 0x55L).encode()).registerStatus());
      assertEquals(CompletionCode.UNABLE_TO_INITIATE_UPDATE, other.requestUpdate()
          .completionCode());
    }
  }

  @Test
  void livefishHasNoFirmwareToAnswer(@TempDir Path dir) throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), running);
    try (EmulatedDevice device =
        EmulatedDevice.open(dir, EmulatedDevice.Options.defaults().withFlashNotPresent(true))) {
      assertThrows(TransportException.class, () -> device.pldm(
          PldmMessage.request(1, FwUpdateCommand.GET_STATUS, new byte[0]).encode()));
    }
  }
}
