package dev.kiln.burner;

import dev.kiln.inspector.section.FwVersion;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Mvts;
import dev.kiln.registers.RegisterFormatException;
import dev.kiln.registers.RegisterStatus;
import dev.kiln.registers.TransportException;

/**
 * The user-timestamp check mstflint runs before every burn of an HCA over MCC, with MVTS (mstflint
 * 4.21 mlxfwops/lib/fsctrl_ops.cpp {@code FsCtrlOperations::FwBurnAdvanced} calls {@code
 * FwOperations::TestAndSetTimeStamp} in mlxfwops/lib/fw_ops.cpp, which reads the device through
 * {@code DeviceTimeStamp::queryTimeStamp} in mlxfwops/lib/aux_tlv_ops.cpp; the MCC device's {@code
 * FsCtrlOperations::GetTsObj} does no probing GET first).
 *
 * <ol>
 *   <li>MVTS GET of the next image's entry ({@code running_flag} 0). BAD_PARAM means the firmware
 *       has no timestamping: nothing more is checked. BAD_CONFIG or an all-zero entry means "no
 *       valid timestamp". Any other failure stops the burn: {@code Failed to query next timestamp
 *       on device, <status>} ({@code DeviceTimeStamp::convertRc}).
 *   <li>The image carries no timestamp (Kiln images have no timestamp TLV; see docs/burner.md),
 *       so nothing is SET. Then:
 *       <ul>
 *         <li>no valid next entry: MVTS GET of the running entry ({@code running_flag} 1); a valid
 *             one refuses the burn ({@code No valid timestamp detected...}), none lets it go on,
 *             and any other answer (BAD_PARAM included) fails it;
 *         <li>a valid next entry: its FW version must be the image's, else {@code Stamped FW
 *             version mismatch: A.B.CCCC differs from X.Y.ZZZZ}.
 *       </ul>
 * </ol>
 */
final class TimestampCheck {
  private final DeviceLink link;

  TimestampCheck(DeviceLink link) {
    this.link = link;
  }

  /**
   * Runs the check for an image of {@code imageVersion} (null: the version comparison is skipped,
   * as nothing says what the image is).
   *
   * @throws ImageRejectedException when the device's timestamps refuse the image
   * @throws DeviceException when MVTS fails otherwise
   */
  void check(FwVersion imageVersion)
      throws DeviceException, ImageRejectedException, TransportException {
    Answer next = query(false);
    if (next.unsupported()) {
      return;
    }
    if (next.entry() == null) {
      Answer running = query(true);
      if (running.unsupported()) {
        // mstflint accepts only "valid" or "none" here; "not supported" fails the burn.
        throw new DeviceException(
            link.uri() + ": Failed to query current timestamp on device, Time stamping not"
                + " supported by FW");
      }
      if (running.entry() == null) {
        return;
      }
      throw new ImageRejectedException(
          link.uri() + ": No valid timestamp detected. please set a valid timestamp on"
              + " image/device or reset timestamps on device.",
          -1);
    }
    Mvts.Timestamp stamped = next.entry();
    if (imageVersion != null
        && (stamped.fwMajor() != imageVersion.major()
            || stamped.fwMinor() != imageVersion.minor()
            || stamped.fwSubminor() != imageVersion.subminor())) {
      throw new ImageRejectedException(
          String.format(
              "%s: Stamped FW version mismatch: %d.%d.%04d differs from %d.%d.%04d",
              link.uri(), stamped.fwMajor(), stamped.fwMinor(), stamped.fwSubminor(),
              imageVersion.major(), imageVersion.minor(), imageVersion.subminor()),
          -1);
    }
  }

  /** One MVTS GET: unsupported, no valid entry (null), or the entry. */
  private record Answer(boolean unsupported, Mvts.Timestamp entry) {}

  private Answer query(boolean running) throws DeviceException, TransportException {
    RegisterClient.Reply reply =
        link.client().get(AccessRegister.MVTS, Mvts.query(running).encode());
    if (reply.status() == RegisterStatus.BAD_PARAM) {
      return new Answer(true, null);
    }
    if (reply.status() == RegisterStatus.BAD_CONFIG) {
      return new Answer(false, null);
    }
    if (!reply.ok()) {
      throw new DeviceException(
          link.uri() + ": Failed to query " + (running ? "current" : "next")
              + " timestamp on device, " + reply.status().text());
    }
    Mvts.Timestamp entry;
    try {
      entry = Mvts.decode(reply.payload()).timestamp();
    } catch (RegisterFormatException e) {
      throw new DeviceException(link.uri() + ": the device's MVTS reply is malformed: "
          + e.getMessage());
    }
    return new Answer(false, entry.isNone() ? null : entry);
  }
}
