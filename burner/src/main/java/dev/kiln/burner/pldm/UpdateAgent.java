package dev.kiln.burner.pldm;

import dev.kiln.burner.BurnCancelledException;
import dev.kiln.burner.BurnReport;
import dev.kiln.burner.DeviceException;
import dev.kiln.burner.ImageRejectedException;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.registers.MccErrorCode;
import dev.kiln.registers.TransportException;
import dev.kiln.registers.pldm.ActivateFirmware;
import dev.kiln.registers.pldm.CompleteReport;
import dev.kiln.registers.pldm.CompletionCode;
import dev.kiln.registers.pldm.Descriptor;
import dev.kiln.registers.pldm.FwUpdateCommand;
import dev.kiln.registers.pldm.GetFirmwareParameters;
import dev.kiln.registers.pldm.GetStatus;
import dev.kiln.registers.pldm.PassComponentTable;
import dev.kiln.registers.pldm.PldmEndpoint;
import dev.kiln.registers.pldm.PldmFormatException;
import dev.kiln.registers.pldm.PldmMessage;
import dev.kiln.registers.pldm.QueryDeviceIdentifiers;
import dev.kiln.registers.pldm.RequestFirmwareData;
import dev.kiln.registers.pldm.RequestUpdate;
import dev.kiln.registers.pldm.ResultCodes;
import dev.kiln.registers.pldm.TransferFlag;
import dev.kiln.registers.pldm.UpdateComponent;
import dev.kiln.registers.pldm.PldmString;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The BMC's side of a DSP0267 firmware update, the Update Agent (UA), as {@code kiln burn --via
 * pldm} plays it (docs/burner.md, "Burning through the BMC's path (PLDM)"). Its states follow
 * DSP0267 1.1.0's update flow ("Firmware update flow"; openbmc/pldm {@code fw-update/
 * device_updater.cpp} is an independent agent to compare with):
 *
 * <ol>
 *   <li>inventory: QueryDeviceIdentifiers; the package record whose descriptors the device all
 *       reports ({@link RecordMatcher}); GetFirmwareParameters;
 *   <li>RequestUpdate (update mode), PassComponentTable for each applicable component;
 *   <li>per component: UpdateComponent, then serve the device's RequestFirmwareData until its
 *       TransferComplete, then its VerifyComplete and ApplyComplete;
 *   <li>ActivateFirmware, then GetFirmwareParameters for the pending version.
 * </ol>
 *
 * A refusal by the device (a component it cannot update, a verify that failed) is an {@link
 * ImageRejectedException} carrying the MCC error the device reported in GetStatus; a protocol
 * failure is a {@link DeviceException}; a cancellation (the progress display's checkpoints throw
 * {@link BurnCancelledException} after SIGINT) sends CancelUpdateComponent and CancelUpdate, as a
 * BMC abandons an update, and is passed on. Every failure after RequestUpdate leaves update mode
 * the same way, so the device is free for the next update.
 */
public final class UpdateAgent {
  /**
   * The MaximumTransferSize offered in RequestUpdate: what one daemon frame carries comfortably
   * (its limit is 128 KiB).
   */
  public static final int MAX_TRANSFER = 32 * 1024;

  /** Polls of an FD with nothing to ask before the agent gives up (the emulator never needs one). */
  static final int MAX_IDLE_POLLS = 1000;

  private final PldmEndpoint channel;
  private final String device;
  private int instance;
  private long messages;

  /**
   * @param channel the PLDM channel to the device
   * @param device the device URI, for messages
   */
  public UpdateAgent(PldmEndpoint channel, String device) {
    this.channel = channel;
    this.device = device;
  }

  /** The descriptors the device reports (QueryDeviceIdentifiers). */
  public List<Descriptor> descriptors() throws TransportException, DeviceException {
    PldmMessage response = call(FwUpdateCommand.QUERY_DEVICE_IDENTIFIERS, new byte[0]);
    requireSuccess(response, "QueryDeviceIdentifiers");
    try {
      return QueryDeviceIdentifiers.Response.decode(response.payload()).descriptors();
    } catch (PldmFormatException e) {
      throw malformed("QueryDeviceIdentifiers", e);
    }
  }

  /** The device's firmware parameters (GetFirmwareParameters). */
  public GetFirmwareParameters.Response parameters()
      throws TransportException, DeviceException {
    PldmMessage response = call(FwUpdateCommand.GET_FIRMWARE_PARAMETERS, new byte[0]);
    requireSuccess(response, "GetFirmwareParameters");
    try {
      return GetFirmwareParameters.Response.decode(response.payload());
    } catch (PldmFormatException e) {
      throw malformed("GetFirmwareParameters", e);
    }
  }

  /**
   * Updates the device from {@code pkg}: the record matching its descriptors, each component of
   * that record, then (when {@code activate}) ActivateFirmware.
   *
   * @param progress steps and bytes; its checkpoints may throw {@link BurnCancelledException}
   * @throws ImageRejectedException when no record matches or the device refuses a component
   * @throws DeviceException when the device breaks the protocol or refuses update mode
   */
  public BurnReport update(UpdatePackage pkg, boolean activate, BurnProgress progress)
      throws TransportException, DeviceException, ImageRejectedException {
    long start = System.nanoTime();
    progress.step("Querying the device identifiers (PLDM)");
    List<Descriptor> reported = descriptors();
    UpdatePackage.Selection selection = pkg.select(reported)
        .orElseThrow(() -> new ImageRejectedException(noRecord(pkg, reported), -1));
    List<UpdatePackage.Component> components = selection.components();
    if (components.isEmpty()) {
      throw new ImageRejectedException(
          pkg.source() + ": the record matching " + device + " applies no component", -1);
    }
    parameters();
    progress.step("Requesting update mode (RequestUpdate)");
    long total = components.stream().mapToLong(UpdatePackage.Component::size).sum();
    PldmMessage entered = call(FwUpdateCommand.REQUEST_UPDATE,
        new RequestUpdate.Request(MAX_TRANSFER, components.size(), 1, 0,
            selection.imageSetVersion()).encode());
    if (entered.completionCode() != CompletionCode.SUCCESS) {
      throw new DeviceException(device + ": the device refused update mode (RequestUpdate "
          + CompletionCode.describe(entered.completionCode()) + ")"
          + (entered.completionCode() == CompletionCode.UNABLE_TO_INITIATE_UPDATE
              ? ": another update holds the device, or its HW access is locked"
              : ""));
    }
    long transferNanos = 0;
    boolean inComponent = false;
    try {
      passComponentTable(components);
      long done = 0;
      for (UpdatePackage.Component component : components) {
        inComponent = true;
        long transferStart = System.nanoTime();
        updateComponent(component, done, total, progress);
        transferNanos += System.nanoTime() - transferStart;
        inComponent = false;
        done += component.size();
      }
      if (activate) {
        progress.step("Activating (ActivateFirmware)");
        PldmMessage activated = call(FwUpdateCommand.ACTIVATE_FIRMWARE,
            new ActivateFirmware.Request(false).encode());
        requireSuccess(activated, "ActivateFirmware");
      } else {
        // Applied, not activated: leave update mode; the image can never boot unactivated.
        call(FwUpdateCommand.CANCEL_UPDATE, new byte[0]);
      }
    } catch (TransportException | DeviceException
        | ImageRejectedException | RuntimeException e) {
      abandon(inComponent, e);
      throw e;
    }
    GetFirmwareParameters.Response after = parameters();
    return new BurnReport(device, total, transferNanos, System.nanoTime() - start, messages,
        activate, version(after.activeSetVersion()).orElse(new FwVersion(0, 0, 0)),
        version(after.pendingSetVersion()));
  }

  private void passComponentTable(List<UpdatePackage.Component> components)
      throws TransportException, DeviceException, ImageRejectedException {
    for (int i = 0; i < components.size(); i++) {
      UpdatePackage.Component component = components.get(i);
      PldmMessage response = call(FwUpdateCommand.PASS_COMPONENT_TABLE,
          new PassComponentTable.Request(TransferFlag.of(i, components.size()),
              component.classification(), component.identifier(), 0,
              component.comparisonStamp(), component.version()).encode());
      requireSuccess(response, "PassComponentTable");
      PassComponentTable.Response answer;
      try {
        answer = PassComponentTable.Response.decode(response.payload());
      } catch (PldmFormatException e) {
        throw malformed("PassComponentTable", e);
      }
      if (answer.componentResponseCode() == ResultCodes.COMPONENT_NOT_SUPPORTED) {
        throw new ImageRejectedException(String.format(
            "%s: the device does not support component %d/%d (PassComponentTable response code"
                + " 0x%02x)", device, component.classification(), component.identifier(),
            answer.componentResponseCode()), -1);
      }
    }
  }

  private void updateComponent(UpdatePackage.Component component, long before, long total,
      BurnProgress progress) throws TransportException, DeviceException, ImageRejectedException {
    progress.step("Updating component " + component.version() + " (UpdateComponent)");
    PldmMessage response = call(FwUpdateCommand.UPDATE_COMPONENT,
        new UpdateComponent.Request(component.classification(), component.identifier(), 0,
            component.comparisonStamp(), component.size(), 0, component.version()).encode());
    requireSuccess(response, "UpdateComponent");
    UpdateComponent.Response answer;
    try {
      answer = UpdateComponent.Response.decode(response.payload());
    } catch (PldmFormatException e) {
      throw malformed("UpdateComponent", e);
    }
    if (answer.compatibilityResponse() != UpdateComponent.Response.CAN_BE_UPDATED) {
      int code = answer.compatibilityResponseCode();
      int mcc = code >= ResultCodes.COMPONENT_VENDOR_FIRST ? code - ResultCodes.COMPONENT_VENDOR_FIRST
          : -1;
      throw new ImageRejectedException(String.format(
          "%s: the device cannot update the component (UpdateComponent compatibility code"
              + " 0x%02x%s)", device, code, mcc < 0 ? "" : ", MCC error " + mccText(mcc)),
          mcc);
    }
    serveTransfer(component, before, total, progress);
  }

  /** Answers the FD's requests until it reports ApplyComplete for this component. */
  private void serveTransfer(UpdatePackage.Component component, long before, long total,
      BurnProgress progress) throws TransportException, DeviceException, ImageRejectedException {
    byte[] image = component.imageView();
    byte[] next = poll();
    while (true) {
      PldmMessage request = fdRequest(next);
      if (request.is(FwUpdateCommand.REQUEST_FIRMWARE_DATA)) {
        RequestFirmwareData.Request range = decodeRange(request);
        if (range.length() > MAX_TRANSFER || range.offset() > image.length) {
          next = answer(PldmMessage.failure(request,
              range.length() > MAX_TRANSFER ? CompletionCode.INVALID_TRANSFER_LENGTH
                  : CompletionCode.DATA_OUT_OF_RANGE));
          continue;
        }
        // DSP0267: a piece reaching past the image's end is padded with zeros.
        byte[] data = new byte[(int) range.length()];
        int available = (int) Math.max(0, Math.min(range.length(), image.length - range.offset()));
        System.arraycopy(image, (int) range.offset(), data, 0, available);
        progress.written(before + range.offset() + available, total);
        next = answer(PldmMessage.response(request, CompletionCode.SUCCESS, data));
        continue;
      }
      CompleteReport report;
      try {
        FwUpdateCommand command = FwUpdateCommand.of(request.command()).orElseThrow();
        report = CompleteReport.decode(command, request.payload());
      } catch (PldmFormatException | RuntimeException e) {
        throw new DeviceException(device + ": unexpected request from the device: " + request);
      }
      next = answer(PldmMessage.response(request, CompletionCode.SUCCESS, new byte[0]));
      switch (report.command()) {
        case TRANSFER_COMPLETE -> {
          progress.transferEnded();
          if (report.result() != ResultCodes.TRANSFER_SUCCESS) {
            throw new DeviceException(device + ": the transfer failed: " + report.describeResult());
          }
          progress.step("Device verifying the image");
        }
        case VERIFY_COMPLETE -> {
          if (report.result() != ResultCodes.VERIFY_SUCCESS) {
            throw refusal(report);
          }
          progress.step("Device applying the image");
        }
        default -> {
          if (report.result() != ResultCodes.APPLY_SUCCESS
              && report.result() != ResultCodes.APPLY_SUCCESS_WITH_ACTIVATION_METHOD) {
            throw new DeviceException(device + ": the device could not apply the image: "
                + report.describeResult());
          }
          return;
        }
      }
    }
  }

  /** A failed VerifyComplete, with the MCC error GetStatus gives as vendor-defined detail. */
  private ImageRejectedException refusal(CompleteReport report) {
    int mcc = -1;
    try {
      PldmMessage status = call(FwUpdateCommand.GET_STATUS, new byte[0]);
      if (status.completionCode() == CompletionCode.SUCCESS) {
        int detail = GetStatus.Response.decode(status.payload()).auxStateStatus();
        if (detail >= ResultCodes.AUX_STATUS_VENDOR_FIRST
            && detail <= ResultCodes.AUX_STATUS_VENDOR_LAST) {
          mcc = detail - ResultCodes.AUX_STATUS_VENDOR_FIRST;
        }
      }
    } catch (TransportException | DeviceException | PldmFormatException e) {
      // The result code alone still says why.
    }
    return new ImageRejectedException(device + ": the device refused the image: "
        + report.describeResult() + (mcc < 0 ? "" : ", MCC error " + mccText(mcc)), mcc);
  }

  private static String mccText(int code) {
    MccErrorCode error = MccErrorCode.fromCode(code);
    return String.format("0x%02x (%s)", code, error == MccErrorCode.UNKNOWN
        ? "unknown" : error.name() + ": " + error.hostText());
  }

  private RequestFirmwareData.Request decodeRange(PldmMessage request) throws DeviceException {
    try {
      return RequestFirmwareData.Request.decode(request.payload());
    } catch (PldmFormatException e) {
      throw malformed("RequestFirmwareData", e);
    }
  }

  /** The device's next request, polling while it has none yet. */
  private byte[] poll() throws TransportException {
    messages++;
    return channel.pldm(new byte[0]);
  }

  private PldmMessage fdRequest(byte[] bytes) throws TransportException, DeviceException {
    int polls = 0;
    while (bytes.length == 0) {
      if (++polls > MAX_IDLE_POLLS) {
        throw new DeviceException(device + ": the device stopped asking for data mid-update");
      }
      bytes = poll();
    }
    try {
      PldmMessage message = PldmMessage.decode(bytes);
      if (!message.request() || message.type() != FwUpdateCommand.PLDM_TYPE) {
        throw new DeviceException(device + ": expected a request from the device, got " + message);
      }
      return message;
    } catch (PldmFormatException e) {
      throw malformed("device request", e);
    }
  }

  private byte[] answer(PldmMessage response) throws TransportException {
    messages++;
    return channel.pldm(response.encode());
  }

  /** Leaves update mode after a failure; a second failure is added to the first, not thrown. */
  private void abandon(boolean inComponent, Exception cause) {
    try {
      if (inComponent) {
        call(FwUpdateCommand.CANCEL_UPDATE_COMPONENT, new byte[0]);
      }
      call(FwUpdateCommand.CANCEL_UPDATE, new byte[0]);
    } catch (TransportException | DeviceException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  private PldmMessage call(FwUpdateCommand command, byte[] payload)
      throws TransportException, DeviceException {
    instance = (instance + 1) & PldmMessage.MAX_INSTANCE_ID;
    PldmMessage request = PldmMessage.request(instance, command, payload);
    messages++;
    byte[] reply = channel.pldm(request.encode());
    try {
      PldmMessage response = PldmMessage.decode(reply);
      if (response.request() || response.instanceId() != instance
          || response.command() != command.code()) {
        throw new DeviceException(device + ": " + command + " was answered with " + response);
      }
      return response;
    } catch (PldmFormatException e) {
      throw malformed(command.name(), e);
    }
  }

  private void requireSuccess(PldmMessage response, String command) throws DeviceException {
    if (response.completionCode() != CompletionCode.SUCCESS) {
      throw new DeviceException(device + ": " + command + " failed: completion code "
          + CompletionCode.describe(response.completionCode()));
    }
  }

  private DeviceException malformed(String what, PldmFormatException e) {
    return new DeviceException(device + ": malformed " + what + ": " + e.getMessage(), e);
  }

  private String noRecord(UpdatePackage pkg, List<Descriptor> reported) {
    return pkg.source() + ": no firmware device record matches " + device + " (the device reports "
        + reported.stream().map(Descriptor::toString).collect(Collectors.joining(", "))
        + "; the package's records want " + pkg.describeRecords() + ")";
  }

  private static Optional<FwVersion> version(PldmString text) {
    if (text.length() == 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(FwVersion.parse(text.text()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
