package dev.kiln.pipeline.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.burner.BurnReport;
import dev.kiln.burner.DeviceException;
import dev.kiln.burner.DeviceUri;
import dev.kiln.burner.Devices;
import dev.kiln.burner.ImageRejectedException;
import dev.kiln.burner.pldm.UpdateAgent;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.packages.pldm.PldmPackage;
import dev.kiln.packages.pldm.PldmPackageReader;
import dev.kiln.pipeline.cli.json.ImageJson;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import dev.kiln.registers.pldm.Descriptor;
import dev.kiln.registers.pldm.GetFirmwareParameters;
import dev.kiln.registers.pldm.PldmEndpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * {@code kiln burn --via pldm PACKAGE.fwpkg --device DEV}: kiln as the BMC's update agent. Reads
 * the DSP0267 package once ({@code packages.pldm.PldmPackageReader}), opens the device's PLDM
 * channel (the daemon's {@code KPLD} frames for {@code tcp://}, the in-process emulator for {@code
 * emu:}) and runs {@link UpdateAgent}: the device alone checks the image, as it does when a BMC
 * updates it, with the same checks and fail-safe writes as the MCC path.
 *
 * <p>Exit codes as for the MCC burn: 0 burnt (pending or, with {@code --no-activate}, applied);
 * 1 no record of the package matches the device, or the device refused the image; 2 usage
 * (options of the MCC path, a device without a PLDM channel, no confirmation); 3 the package
 * cannot be read; 5 device or transport failure; 130/143 interrupted (the update is cancelled).
 */
final class PldmBurn {
  private PldmBurn() {}

  static int run(BurnCommand command) throws Exception {
    PrintWriter out = command.spec.commandLine().getOut();
    PrintWriter err = command.spec.commandLine().getErr();
    refuseMccOnlyOptions(command);
    DeviceUri uri = command.device.uri();
    if (uri instanceof DeviceUri.Pci || uri instanceof DeviceUri.Replay) {
      throw new CommandFailure(ExitCodes.USAGE, "--via pldm: " + uri.text() + " has no PLDM"
          + " channel kiln can reach (a BMC reaches a real adapter over MCTP); use a tcp:// or emu:"
          + " emulated device, or burn through the MCC path");
    }
    Path path = command.imagePath;
    PldmPackage pkg;
    try {
      pkg = PldmPackageReader.read(path);
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.UNREADABLE_INPUT,
          path + ": not a readable PLDM package: " + e.getMessage(), e);
    }
    if (!command.yes && BurnCommand.console == null) {
      throw new CommandFailure(ExitCodes.USAGE,
          "burn needs confirmation but stdin is not a terminal; pass --yes to burn"
              + " non-interactively");
    }
    PldmPackageUpdate update = new PldmPackageUpdate(pkg, path.toString());
    ObjectNode result = ImageJson.object();
    result.put("package", path.toString());
    result.put("device", uri.text());
    result.put("via", "pldm");
    RegisterTransport transport =
        Devices.open(uri, EmulatorDevices::open, DeviceOptions.configSpacesForTests,
            DeviceOptions.sleeper);
    try (transport) {
      if (!(transport.underlying() instanceof PldmEndpoint channel)) {
        throw new CommandFailure(ExitCodes.USAGE, "--via pldm: " + uri.text()
            + " has no PLDM channel");
      }
      UpdateAgent agent = new UpdateAgent(channel, uri.text());
      List<Descriptor> descriptors = agent.descriptors();
      GetFirmwareParameters.Response before = agent.parameters();
      String shown = descriptors.stream().map(Descriptor::toString)
          .collect(Collectors.joining(", "));
      result.put("descriptors", shown);
      result.put("runningVersionBefore", before.activeSetVersion().text());
      if (!command.json) {
        out.println("Device descriptors:           " + shown);
        out.println("Current FW version:           " + before.activeSetVersion().text());
        update.select(descriptors).ifPresent(selection ->
            out.println("Package record:               " + selection.imageSetVersion().text()
                + " (" + selection.components().size() + " component"
                + (selection.components().size() == 1 ? "" : "s") + ")"));
      }
      if (!command.yes && !BurnCommand.confirm(out)) {
        throw new CommandFailure(ExitCodes.CHECK_FAILED, "burn cancelled by the operator");
      }
      BurnProgress progress =
          command.interruption.guard(BurnCommand.progressDisplay(err));
      BurnReport report;
      try {
        report = agent.update(update, !command.noActivate, progress);
      } catch (ImageRejectedException e) {
        fail(command, out, result, e.getMessage());
        throw new CommandFailure(ExitCodes.CHECK_FAILED, e.getMessage(), e);
      } catch (DeviceException | TransportException e) {
        fail(command, out, result, e.getMessage());
        throw e;
      }
      result.put("ok", true);
      result.put("activated", report.activated());
      result.put("runningVersion", report.runningVersion().toString());
      if (report.pendingVersion().isPresent()) {
        result.put("pendingVersion", report.pendingVersion().get().toString());
      } else {
        result.putNull("pendingVersion");
      }
      result.put("bytes", report.componentBytes());
      result.put("pldmMessages", report.transactions());
      if (command.json) {
        out.println(ImageJson.render(result));
        return ExitCodes.OK;
      }
      out.println(String.format(Locale.ROOT, "Burned %d bytes through PLDM in %.2f s (%d PLDM"
          + " messages).", report.componentBytes(), report.totalNanos() / 1e9,
          report.transactions()));
      if (report.activated()) {
        out.println("Version " + report.pendingVersion().map(Object::toString).orElse("?")
            + " is pending; to load it run 'kiln device reset --device " + uri.text()
            + "' or reboot the machine.");
      } else {
        out.println("Written and verified, not activated (--no-activate).");
      }
      return ExitCodes.OK;
    }
  }

  /** Options that belong to the MCC path or to image files: a usage error with --via pldm. */
  private static void refuseMccOnlyOptions(BurnCommand command) {
    String refused = null;
    if (command.imagePath == null) {
      refused = "needs the package: kiln burn --via pldm PACKAGE.fwpkg --device DEV";
    } else if (command.bundle != null || !command.bundleTrust.isEmpty()) {
      refused = "burns a .fwpkg package, not a bundle (--bundle, --trust)";
    } else if (command.burnLog != null) {
      refused = "does not write the burn log (--log) yet";
    } else if (command.readBack || command.psid != null || command.skipPrecheck
        || command.force || command.allowKeyLockout || command.feed.given()) {
      refused = "has no host pre-check: the device alone decides, as when a BMC updates it"
          + " (--read-back, --psid, --skip-precheck, --force, --allow-key-lockout, --forbidden"
          + " are MCC options)";
    } else if (command.device.record != null) {
      refused = "--record records register transactions; the PLDM path has none";
    }
    if (refused != null) {
      throw new CommandFailure(ExitCodes.USAGE, "--via pldm " + refused);
    }
  }

  private static void fail(BurnCommand command, PrintWriter out, ObjectNode result,
      String message) {
    if (command.json) {
      result.put("ok", false);
      result.put("error", message);
      out.println(ImageJson.render(result));
    }
  }
}
