package dev.kiln.emulator.internal;

import dev.kiln.emulator.FaultPoint;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ImageInfo;
import dev.kiln.inspector.section.ReleaseDate;
import dev.kiln.registers.MccErrorCode;
import dev.kiln.registers.pldm.ActivateFirmware;
import dev.kiln.registers.pldm.CancelUpdate;
import dev.kiln.registers.pldm.CompleteReport;
import dev.kiln.registers.pldm.CompletionCode;
import dev.kiln.registers.pldm.Descriptor;
import dev.kiln.registers.pldm.FirmwareDeviceState;
import dev.kiln.registers.pldm.FwUpdateCommand;
import dev.kiln.registers.pldm.GetFirmwareParameters;
import dev.kiln.registers.pldm.GetStatus;
import dev.kiln.registers.pldm.PassComponentTable;
import dev.kiln.registers.pldm.PldmFormatException;
import dev.kiln.registers.pldm.PldmMessage;
import dev.kiln.registers.pldm.QueryDeviceIdentifiers;
import dev.kiln.registers.pldm.RequestFirmwareData;
import dev.kiln.registers.pldm.RequestUpdate;
import dev.kiln.registers.pldm.ResultCodes;
import dev.kiln.registers.pldm.TransferFlag;
import dev.kiln.registers.pldm.UpdateComponent;
import dev.kiln.registers.pldm.PldmString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The adapter as a DSP0267 Firmware Device (FD): the BMC's update path (docs/emulator.md, "PLDM
 * firmware update"). It answers the update agent's (UA's) commands and pulls the image itself
 * with RequestFirmwareData, then reports TransferComplete, VerifyComplete and ApplyComplete; the
 * states are DSP0267 1.1.0's ("Firmware Device state machine"): IDLE, LEARN COMPONENTS, READY
 * XFER, DOWNLOAD, VERIFY, APPLY, ACTIVATE (openbmc/libpldm {@code src/firmware_device/fd.c} is a
 * reading aid for the transitions: a failed step waits in its state for the UA's cancel; a
 * successful apply returns to READY XFER).
 *
 * <p>The image goes through exactly the MCC path's steps ({@link BootImageUpdate}): admission
 * (pending image, slot size) at UpdateComponent, the checks of {@link SecureBootPolicy} and the
 * user timestamp at VERIFY, the staging write (inactive slot, no magic) at APPLY, the fail-safe
 * switch at ActivateFirmware. Each refusal is mapped to a DSP0267 code ({@link #verifyResult}).
 *
 * <p>One update path at a time: RequestUpdate is refused while an MCC handle is held, and the MCC
 * state machine gives out no handle while this FD is in update mode. The UA is the client that
 * sent RequestUpdate; a connection that ends leaves update mode as CancelUpdate would.
 *
 * <p>Not API; not synchronized: the facade's monitor guards every call.
 */
public final class PldmFirmwareDevice {
  /**
   * The one component the device offers over PLDM, its BOOT_IMG: classification 0x000D and
   * identifier 1, as the PLDM packages for these adapters declare their image
   * (shared/fixtures/pldm/cx6dx-psid-nul.metadata.json, made to resemble NVIDIA's).
   */
  public static final int COMPONENT_CLASSIFICATION = 0x000D;

  public static final int COMPONENT_IDENTIFIER = 1;

  /**
   * Largest piece the FD asks for in one RequestFirmwareData (**choice**: small enough that a
   * power cut lands between pieces of a test image, large enough for few round trips).
   */
  public static final int MAX_REQUEST = 4096;

  /**
   * Activation methods of the component (DSP0267 ComponentActivationMethods bits): medium-specific
   * reset (2: MFRL), system reboot (3), DC (4) and AC (5) power cycle; a new image runs after any
   * of them, as after an MCC burn.
   */
  public static final int ACTIVATION_METHODS = 0b11_1100;

  private final DeviceState state;
  private final BootImageUpdate bootImage;
  private final BooleanSupplier mccBusy;
  private final LongSupplier nanoClock;
  private final Duration timeout;

  private FirmwareDeviceState current = FirmwareDeviceState.IDLE;
  private FirmwareDeviceState previous = FirmwareDeviceState.IDLE;
  private int reason = GetStatus.REASON_INITIALIZATION;
  private int owner;
  private long lastCommandNanos;
  private long maxTransfer;
  private int instance;

  private long componentSize;
  private byte[] download;
  private long received;
  /** The FD's request the UA is to answer, or null. */
  private PldmMessage outstanding;
  /** The last step's outcome: aux state and status of GetStatus. */
  private int auxState = GetStatus.AUX_NO_OPERATION;
  private int auxStatus;
  private boolean applied;

  public PldmFirmwareDevice(
      DeviceState state, BooleanSupplier mccBusy, LongSupplier nanoClock, Duration timeout) {
    this.state = state;
    this.bootImage = new BootImageUpdate(state);
    this.mccBusy = mccBusy;
    this.nanoClock = nanoClock;
    this.timeout = timeout;
  }

  /** True from an accepted RequestUpdate until update mode ends. */
  public boolean inUpdateMode() {
    return current != FirmwareDeviceState.IDLE;
  }

  /** Power-on and every reset: IDLE, nothing downloaded. */
  public void reset() {
    leaveUpdateMode(GetStatus.REASON_INITIALIZATION);
    previous = FirmwareDeviceState.IDLE;
  }

  /** The UA's connection ended: as its CancelUpdate. */
  public void releaseOwner(int client) {
    if (inUpdateMode() && owner == client) {
      leaveUpdateMode(GetStatus.REASON_CANCEL_UPDATE);
    }
  }

  /**
   * One message from {@code client} on the PLDM channel ({@code registers.pldm.PldmEndpoint}): a
   * UA request gets the FD's response; a UA response to the FD's request, or an empty poll, gets
   * the FD's next request or nothing.
   */
  public byte[] exchange(int client, byte[] bytes) throws IOException {
    expireIdleUpdateMode();
    if (bytes.length == 0) {
      return client == owner && outstanding != null ? outstanding.encode() : new byte[0];
    }
    PldmMessage message;
    try {
      message = PldmMessage.decode(bytes);
    } catch (PldmFormatException e) {
      // Not even a header: nothing to answer to but the channel's own silence.
      return new byte[0];
    }
    if (!message.request()) {
      return answerToOwnRequest(client, message);
    }
    return handle(client, message).encode();
  }

  private PldmMessage handle(int client, PldmMessage request) throws IOException {
    if (request.type() != FwUpdateCommand.PLDM_TYPE) {
      return PldmMessage.failure(request, CompletionCode.ERROR_INVALID_PLDM_TYPE);
    }
    Optional<FwUpdateCommand> command = FwUpdateCommand.of(request.command());
    if (command.isEmpty()) {
      return PldmMessage.failure(request, CompletionCode.ERROR_UNSUPPORTED_PLDM_CMD);
    }
    try {
      switch (command.get()) {
        case QUERY_DEVICE_IDENTIFIERS:
          return PldmMessage.response(request, CompletionCode.SUCCESS,
              new QueryDeviceIdentifiers.Response(descriptors()).encode());
        case GET_FIRMWARE_PARAMETERS:
          return PldmMessage.response(request, CompletionCode.SUCCESS, parameters().encode());
        case GET_STATUS:
          return PldmMessage.response(request, CompletionCode.SUCCESS, status().encode());
        case REQUEST_UPDATE:
          return requestUpdate(client, request);
        default:
          break;
      }
      if (!inUpdateMode()) {
        return PldmMessage.failure(request, CompletionCode.NOT_IN_UPDATE_MODE);
      }
      if (client != owner) {
        // Another UA while this one updates: the FD serves one at a time.
        return PldmMessage.failure(request, CompletionCode.COMMAND_NOT_EXPECTED);
      }
      lastCommandNanos = nanoClock.getAsLong();
      return switch (command.get()) {
        case PASS_COMPONENT_TABLE -> passComponentTable(request);
        case UPDATE_COMPONENT -> updateComponent(request);
        case ACTIVATE_FIRMWARE -> activateFirmware(request);
        case CANCEL_UPDATE_COMPONENT -> cancelUpdateComponent(request);
        case CANCEL_UPDATE -> cancelUpdate(request);
        // RequestFirmwareData and the three reports are the FD's own requests.
        default -> PldmMessage.failure(request, CompletionCode.ERROR_UNSUPPORTED_PLDM_CMD);
      };
    } catch (PldmFormatException e) {
      return PldmMessage.failure(request, CompletionCode.ERROR_INVALID_LENGTH);
    }
  }

  /** PCI vendor id, PCI device id and the PSID, in the order of NVIDIA's packages. */
  private List<Descriptor> descriptors() {
    return List.of(
        Descriptor.pciVendorId(DeviceType.PCI_VENDOR_ID),
        Descriptor.pciDeviceId(state.identity().type().pciDeviceId()),
        Descriptor.psid(state.identity().psid()));
  }

  private GetFirmwareParameters.Response parameters() {
    ImageFacts running = state.running();
    ImageFacts pending = state.pending();
    PldmString active = version(running);
    PldmString next = version(pending);
    var component = new GetFirmwareParameters.Component(
        COMPONENT_CLASSIFICATION, COMPONENT_IDENTIFIER, 0,
        comparisonStamp(running), active, releaseDate(running),
        comparisonStamp(pending), next, releaseDate(pending),
        ACTIVATION_METHODS, 0);
    return new GetFirmwareParameters.Response(0, active, next, List.of(component));
  }

  private static PldmString version(ImageFacts facts) {
    return facts == null ? PldmString.empty() : PldmString.ascii(facts.version().toString());
  }

  /**
   * The comparison stamp of a FW version (**choice**, DSP0267 leaves its meaning to the vendor):
   * major in the top byte, minor in the next, subminor in the low 16 bits, so stamps order as
   * versions do.
   */
  public static long comparisonStamp(FwVersion version) {
    return ((long) (version.major() & 0xFF) << 24) | ((version.minor() & 0xFF) << 16)
        | (version.subminor() & 0xFFFF);
  }

  private static long comparisonStamp(ImageFacts facts) {
    return facts == null ? 0 : comparisonStamp(facts.version());
  }

  /** IMAGE_INFO's release date as DSP0267's ASCII YYYYMMDD; zeros when there is none. */
  private static byte[] releaseDate(ImageFacts facts) {
    Optional<ReleaseDate> date = facts == null ? Optional.empty()
        : facts.info().map(ImageInfo::releaseDate).filter(d -> d.year() != 0);
    if (date.isEmpty()) {
      return new byte[8];
    }
    return String.format(Locale.ROOT, "%04d%02d%02d", date.get().year(), date.get().month(),
        date.get().day()).getBytes(StandardCharsets.US_ASCII);
  }

  private GetStatus.Response status() {
    int progress = 0;
    if (current == FirmwareDeviceState.DOWNLOAD && componentSize > 0) {
      progress = (int) (received * 100 / componentSize);
    } else if (current == FirmwareDeviceState.VERIFY || current == FirmwareDeviceState.APPLY) {
      progress = 100;
    }
    return new GetStatus.Response(current, previous, auxState, auxStatus, progress, reason, 0);
  }

  private PldmMessage requestUpdate(int client, PldmMessage request) throws PldmFormatException {
    RequestUpdate.Request fields = RequestUpdate.Request.decode(request.payload());
    if (inUpdateMode()) {
      return PldmMessage.failure(request, CompletionCode.ALREADY_IN_UPDATE_MODE);
    }
    if (mccBusy.getAsBoolean() || state.nv().hwAccessDisabled()) {
      // An MCC session holds the update path, or the HW access key locked updates (MLOCK):
      // the same refusal the MCC path gives another client (DEV_BUSY) or a locked device.
      return PldmMessage.failure(request, CompletionCode.UNABLE_TO_INITIATE_UPDATE);
    }
    if (fields.maximumTransferSize() < RequestUpdate.BASELINE_TRANSFER_SIZE
        || fields.maximumOutstandingTransferRequests() < 1
        || fields.numberOfComponents() < 1) {
      return PldmMessage.failure(request, CompletionCode.ERROR_INVALID_DATA);
    }
    maxTransfer = fields.maximumTransferSize();
    owner = client;
    lastCommandNanos = nanoClock.getAsLong();
    applied = false;
    setState(FirmwareDeviceState.LEARN_COMPONENTS);
    auxState = GetStatus.AUX_NO_OPERATION;
    auxStatus = 0;
    return PldmMessage.response(request, CompletionCode.SUCCESS,
        new RequestUpdate.Response(0, false).encode());
  }

  private PldmMessage passComponentTable(PldmMessage request) throws PldmFormatException {
    PassComponentTable.Request entry = PassComponentTable.Request.decode(request.payload());
    if (current != FirmwareDeviceState.LEARN_COMPONENTS) {
      return PldmMessage.failure(request, CompletionCode.INVALID_STATE_FOR_COMMAND);
    }
    PassComponentTable.Response answer;
    if (!isOurComponent(entry.classification(), entry.identifier())) {
      answer = new PassComponentTable.Response(
          PassComponentTable.Response.MAY_BE_UPDATEABLE, ResultCodes.COMPONENT_NOT_SUPPORTED);
    } else if (entry.version().equals(version(state.running()))) {
      // Informational: the UA may still send it (the MCC path allows a re-burn too).
      answer = new PassComponentTable.Response(
          PassComponentTable.Response.MAY_BE_UPDATEABLE, ResultCodes.COMPONENT_VERSION_IDENTICAL);
    } else {
      answer = new PassComponentTable.Response(
          PassComponentTable.Response.CAN_BE_UPDATED, ResultCodes.COMPONENT_CAN_BE_UPDATED);
    }
    int flag = entry.transferFlag();
    if (flag == TransferFlag.END
        || flag == TransferFlag.START_AND_END) {
      setState(FirmwareDeviceState.READY_XFER);
    }
    return PldmMessage.response(request, CompletionCode.SUCCESS, answer.encode());
  }

  private static boolean isOurComponent(int classification, int identifier) {
    return classification == COMPONENT_CLASSIFICATION && identifier == COMPONENT_IDENTIFIER;
  }

  private PldmMessage updateComponent(PldmMessage request) throws PldmFormatException {
    UpdateComponent.Request fields = UpdateComponent.Request.decode(request.payload());
    if (current != FirmwareDeviceState.READY_XFER) {
      return PldmMessage.failure(request, CompletionCode.INVALID_STATE_FOR_COMMAND);
    }
    if (!isOurComponent(fields.classification(), fields.identifier())) {
      return PldmMessage.response(request, CompletionCode.SUCCESS, cannotUpdate(
          ResultCodes.COMPONENT_NOT_SUPPORTED));
    }
    MccErrorCode admitted = bootImage.admit(fields.imageSize());
    if (admitted != MccErrorCode.OK) {
      // Pending image or a size the slot cannot take: the MCC refusal, as a vendor-defined
      // compatibility code 0xD0 + the MCC error code (0xD9: pending reset, 0xD1: size).
      return PldmMessage.response(request, CompletionCode.SUCCESS,
          cannotUpdate(ResultCodes.COMPONENT_VENDOR_FIRST + admitted.code()));
    }
    componentSize = fields.imageSize();
    download = new byte[(int) componentSize];
    received = 0;
    applied = false;
    setState(FirmwareDeviceState.DOWNLOAD);
    auxState = GetStatus.AUX_IN_PROGRESS;
    auxStatus = 0;
    outstanding = nextDataRequest();
    return PldmMessage.response(request, CompletionCode.SUCCESS,
        new UpdateComponent.Response(UpdateComponent.Response.CAN_BE_UPDATED, 0, 0, 0).encode());
  }

  private static byte[] cannotUpdate(int code) {
    return new UpdateComponent.Response(UpdateComponent.Response.CANNOT_BE_UPDATED, code, 0, 0)
        .encode();
  }

  private PldmMessage nextDataRequest() {
    long length = Math.min(Math.min(MAX_REQUEST, maxTransfer), componentSize - received);
    return ownRequest(FwUpdateCommand.REQUEST_FIRMWARE_DATA,
        new RequestFirmwareData.Request(received, length).encode());
  }

  private PldmMessage ownRequest(FwUpdateCommand command, byte[] payload) {
    instance = (instance + 1) & PldmMessage.MAX_INSTANCE_ID;
    return PldmMessage.request(instance, command, payload);
  }

  /** The UA answered the FD's outstanding request; the FD takes the next step. */
  private byte[] answerToOwnRequest(int client, PldmMessage response) throws IOException {
    if (client != owner || outstanding == null
        || response.instanceId() != outstanding.instanceId()
        || response.command() != outstanding.command()) {
      // Not the answer awaited (a stale or foreign response): ask again what is outstanding.
      return client == owner && outstanding != null ? outstanding.encode() : new byte[0];
    }
    lastCommandNanos = nanoClock.getAsLong();
    PldmMessage answered = outstanding;
    outstanding = null;
    if (answered.is(FwUpdateCommand.REQUEST_FIRMWARE_DATA)) {
      takeData(answered, response);
    } else if (answered.is(FwUpdateCommand.TRANSFER_COMPLETE)) {
      transferReported(answered);
    } else if (answered.is(FwUpdateCommand.VERIFY_COMPLETE)) {
      verifyReported(answered);
    } else if (answered.is(FwUpdateCommand.APPLY_COMPLETE)) {
      applyReported(answered);
    }
    return outstanding == null ? new byte[0] : outstanding.encode();
  }

  private void takeData(PldmMessage asked, PldmMessage response) {
    if (response.completionCode() == CompletionCode.RETRY_REQUEST_FW_DATA) {
      outstanding = asked;
      return;
    }
    RequestFirmwareData.Request range;
    try {
      range = RequestFirmwareData.Request.decode(asked.payload());
    } catch (PldmFormatException e) {
      throw new IllegalStateException("the FD's own request does not decode", e);
    }
    byte[] data = response.payload();
    if (response.completionCode() != CompletionCode.SUCCESS) {
      reportTransfer(ResultCodes.TRANSFER_FD_ABORTED);
      return;
    }
    if (data.length != range.length()) {
      reportTransfer(ResultCodes.TRANSFER_IMAGE_CORRUPT);
      return;
    }
    System.arraycopy(data, 0, download, (int) range.offset(), data.length);
    received = range.offset() + data.length;
    state.faults().reached(FaultPoint.PLDM_DATA_CHUNK);
    outstanding = received < componentSize
        ? nextDataRequest()
        : ownRequest(FwUpdateCommand.TRANSFER_COMPLETE,
            CompleteReport.of(FwUpdateCommand.TRANSFER_COMPLETE, ResultCodes.TRANSFER_SUCCESS)
                .encode());
  }

  private void reportTransfer(int result) {
    download = null;
    outstanding = ownRequest(FwUpdateCommand.TRANSFER_COMPLETE,
        CompleteReport.of(FwUpdateCommand.TRANSFER_COMPLETE, result).encode());
  }

  private static int result(PldmMessage report) {
    return report.payload()[0] & 0xFF;
  }

  private void transferReported(PldmMessage report) {
    if (result(report) != ResultCodes.TRANSFER_SUCCESS) {
      // Waits in DOWNLOAD for the UA's cancel.
      auxState = GetStatus.AUX_FAILED;
      auxStatus = result(report);
      return;
    }
    setState(FirmwareDeviceState.VERIFY);
    SecureBootPolicy.Verdict verdict = bootImage.check(download);
    int result = verifyResult(verdict.error());
    if (!verdict.accepted()) {
      // A rejected component changes nothing: it only ever lived in RAM (as on the MCC path).
      download = null;
      auxState = GetStatus.AUX_FAILED;
      auxStatus = vendorStatus(verdict.error());
    }
    outstanding = ownRequest(FwUpdateCommand.VERIFY_COMPLETE,
        CompleteReport.of(FwUpdateCommand.VERIFY_COMPLETE, result).encode());
  }

  /**
   * The VerifyResult of an MCC verdict (**choice**: how a real adapter maps its MCC error codes
   * to DSP0267 is not published): a component that is no FS4 image or not for this device is a
   * verification failure (0x01); unsigned, unknown key, failed authentication, a digest error,
   * not secure FW, a forbidden version or a user timestamp mismatch fail the FD's security
   * checks (0x03); a security version below the eFuses is DSP0267 1.3's security revision error
   * (0x10). The exact MCC error code is in GetStatus's AuxStateStatus ({@link #vendorStatus}).
   */
  public static int verifyResult(MccErrorCode error) {
    return switch (error) {
      case OK -> ResultCodes.VERIFY_SUCCESS;
      case REJECTED_BAD_FORMAT, REJECTED_NOT_APPLICABLE, ERROR ->
          ResultCodes.VERIFY_VERIFICATION_FAILURE;
      case FW_BURN_REJECTED_INVALID_SECURITY_VERSION -> ResultCodes.VERIFY_SECURITY_REVISION_ERROR;
      default -> ResultCodes.VERIFY_FAILED_FD_SECURITY_CHECKS;
    };
  }

  /** GetStatus's vendor-defined AuxStateStatus for an MCC error: 0x70 + its code. */
  public static int vendorStatus(MccErrorCode error) {
    return ResultCodes.AUX_STATUS_VENDOR_FIRST + error.code();
  }

  private void verifyReported(PldmMessage report) throws IOException {
    if (result(report) != ResultCodes.VERIFY_SUCCESS) {
      return; // waits in VERIFY, failed, for the UA's cancel
    }
    setState(FirmwareDeviceState.APPLY);
    // The MCC path's staging write: inactive slot, no magic, forced, then NV.
    bootImage.stage(download);
    download = null;
    outstanding = ownRequest(FwUpdateCommand.APPLY_COMPLETE,
        CompleteReport.of(FwUpdateCommand.APPLY_COMPLETE, ResultCodes.APPLY_SUCCESS).encode());
  }

  private void applyReported(PldmMessage report) {
    if (result(report) != ResultCodes.APPLY_SUCCESS) {
      auxState = GetStatus.AUX_FAILED;
      return;
    }
    applied = true;
    auxState = GetStatus.AUX_NO_OPERATION;
    setState(FirmwareDeviceState.READY_XFER);
  }

  private PldmMessage activateFirmware(PldmMessage request) throws IOException,
      PldmFormatException {
    ActivateFirmware.Request.decode(request.payload());
    if (current != FirmwareDeviceState.READY_XFER) {
      return PldmMessage.failure(request, CompletionCode.INVALID_STATE_FOR_COMMAND);
    }
    if (!applied) {
      return PldmMessage.failure(request, CompletionCode.INCOMPLETE_UPDATE);
    }
    setState(FirmwareDeviceState.ACTIVATE);
    bootImage.activate();
    applied = false;
    leaveUpdateMode(GetStatus.REASON_ACTIVATE);
    return PldmMessage.response(request, CompletionCode.SUCCESS,
        new ActivateFirmware.Response(0).encode());
  }

  private PldmMessage cancelUpdateComponent(PldmMessage request) {
    if (current != FirmwareDeviceState.DOWNLOAD && current != FirmwareDeviceState.VERIFY
        && current != FirmwareDeviceState.APPLY) {
      return PldmMessage.failure(request, CompletionCode.INVALID_STATE_FOR_COMMAND);
    }
    discardComponent();
    setState(FirmwareDeviceState.READY_XFER);
    return PldmMessage.response(request, CompletionCode.SUCCESS, new byte[0]);
  }

  private PldmMessage cancelUpdate(PldmMessage request) {
    leaveUpdateMode(GetStatus.REASON_CANCEL_UPDATE);
    return PldmMessage.response(request, CompletionCode.SUCCESS,
        new CancelUpdate.Response(false, 0).encode());
  }

  private void discardComponent() {
    download = null;
    received = 0;
    componentSize = 0;
    outstanding = null;
    auxState = GetStatus.AUX_NO_OPERATION;
    auxStatus = 0;
  }

  /**
   * Back to IDLE. What was downloaded is dropped; an image already applied but not activated
   * stays in the inactive slot without its magic, where it can never boot (as an MCC burn
   * verified but not activated).
   */
  private void leaveUpdateMode(int why) {
    discardComponent();
    applied = false;
    owner = 0;
    if (current != FirmwareDeviceState.IDLE) {
      previous = current;
    }
    current = FirmwareDeviceState.IDLE;
    reason = why;
  }

  private void setState(FirmwareDeviceState next) {
    if (next != current) {
      previous = current;
      current = next;
    }
  }

  /** The UA silent for the timeout: update mode ends with the timeout reason of its state. */
  private void expireIdleUpdateMode() {
    if (inUpdateMode() && nanoClock.getAsLong() - lastCommandNanos > timeout.toNanos()) {
      int why = current.code() <= FirmwareDeviceState.APPLY.code()
          ? GetStatus.REASON_TIMEOUT_LEARN_COMPONENTS + current.code() - 1
          : GetStatus.REASON_CANCEL_UPDATE;
      leaveUpdateMode(why);
    }
  }
}
