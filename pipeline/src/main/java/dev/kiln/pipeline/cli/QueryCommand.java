package dev.kiln.pipeline.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.burner.DeviceException;
import dev.kiln.burner.DeviceInfo;
import dev.kiln.burner.ImageRejectedException;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.precheck.DeviceProfile;
import dev.kiln.burner.precheck.DeviceProfiles;
import dev.kiln.burner.precheck.TrustedKey;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.cli.json.ImageJson;
import dev.kiln.registers.TransportException;
import java.io.PrintWriter;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kiln query --device DEV [--json]}: what {@code mstflint -d DEV query full} shows on a
 * secure device (protocol doc §3). {@code --json} prints the device's target profile, which {@code
 * kiln check --target} reads back offline (its fields are documented in docs/burner.md).
 */
@Command(
    name = "query",
    mixinStandardHelpOptions = true,
    description = {
      "Query a device through the controlled update path.",
      "Shows the device, PSID, running and pending FW version, security attributes, security"
          + " version and update method."
    })
public final class QueryCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DeviceOptions device;

  @Option(names = "--json", description = "Print the device profile as one JSON object.")
  boolean json;

  @Option(
      names = "--no-read-back",
      description =
          "Do not read the running image back to learn the trusted keys and forbidden versions.")
  boolean noReadBack;

  @Override
  public Integer call() throws DeviceException, TransportException, ImageRejectedException {
    PrintWriter out = spec.commandLine().getOut();
    try (SecureDevice session = device.open()) {
      DeviceInfo info = session.query();
      // The NV base MAC/GUID (MNVDA) is what 'kiln device set-guids' changes; devices that do not
      // offer MNVDA simply do not show it.
      Optional<long[]> nvBaseMacGuid = session.baseMacGuid();
      if (json) {
        DeviceProfile profile = DeviceProfiles.of(session, info, !noReadBack);
        ObjectNode node = toJson(info, profile);
        nvBaseMacGuid.ifPresent(
            v -> {
              node.put("nvBaseMac", String.format(Locale.ROOT, "%012x", v[0]));
              node.put("nvBaseGuid", String.format(Locale.ROOT, "%016x", v[1]));
            });
        out.println(ImageJson.render(node));
      } else {
        printText(out, info);
        nvBaseMacGuid.ifPresent(
            v -> {
              line(out, "NV Base GUID:", String.format(Locale.ROOT, "%016x", v[1]));
              line(out, "NV Base MAC:", String.format(Locale.ROOT, "%012x", v[0]));
            });
      }
    }
    return ExitCodes.OK;
  }

  static void printText(PrintWriter out, DeviceInfo info) {
    line(out, "Device:", info.device());
    line(out, "Device Type:", info.deviceName());
    line(out, "HW Device ID:", String.format("0x%x (PCI device id 0x%x)", info.hwDeviceId(),
        info.pciDeviceId()));
    line(out, "PSID:", info.psid());
    line(out, "FW Version:", info.flashVersion().toString());
    if (info.pendingVersion().isPresent()) {
      line(out, "FW Version(Running):", info.runningVersion().toString());
      line(out, "Pending:", info.pendingVersion().get() + " (activated; runs after a reset)");
    }
    if (!info.runningReleaseDate().isEmpty()) {
      line(out, "FW Release Date:", info.runningReleaseDate());
    }
    if (!info.modelName().isEmpty()) {
      line(out, "Part Number:", info.modelName());
    }
    if (!info.productVersion().isEmpty()) {
      line(out, "Product Version:", info.productVersion());
    }
    if (!info.description().isEmpty()) {
      line(out, "Description:", info.description());
    }
    line(out, "Security Attributes:", info.securityAttributes());
    info.efuseSecurityVersion().ifPresent(v -> line(out, "EFUSE Security Ver:", v.toString()));
    info.imageSecurityVersion().ifPresent(v -> line(out, "Image Security Ver:", v.toString()));
    line(out, "Life cycle:", info.lifeCycle());
    line(out, "Secure Boot Capable:", info.secureBoot() ? "Enabled" : "Disabled");
    line(out, "Encryption:", info.encryption() ? "Enabled" : "Disabled");
    line(out, "Default Update Method:", info.updateMethod());
    line(out, "Base MAC:", info.baseMac());
    line(out, "HW Access:", info.hwAccessLocked() ? "disabled (key set)" : "enabled");
    line(out, "Components:", String.join("; ", info.components()));
  }

  private static void line(PrintWriter out, String label, String value) {
    out.println(String.format("%-24s%s", label, value));
  }

  /** The profile JSON (see docs/burner.md "Target profile"). */
  static ObjectNode toJson(DeviceInfo info, DeviceProfile profile) {
    ObjectNode node = ImageJson.object();
    node.put("profileVersion", 1);
    node.put("device", info.device());
    node.put("deviceName", info.deviceName());
    node.put("hwDeviceId", String.format("0x%x", info.hwDeviceId()));
    node.put("pciDeviceId", String.format("0x%x", info.pciDeviceId()));
    node.put("psid", info.psid());
    node.put("runningVersion", info.runningVersion().toString());
    if (info.pendingVersion().isPresent()) {
      node.put("pendingVersion", info.pendingVersion().get().toString());
    } else {
      node.putNull("pendingVersion");
    }
    node.put("flashVersion", info.flashVersion().toString());
    node.put("releaseDate", info.runningReleaseDate());
    node.put("securityVersion", profile.securityVersion());
    info.imageSecurityVersion().ifPresent(v -> node.put("imageSecurityVersion", v));
    node.put("secured", info.secured());
    node.put("signedFw", info.signedFw());
    node.put("securityAttributes", info.securityAttributes());
    node.put("lifeCycle", info.lifeCycle());
    node.put("secureBoot", info.secureBoot());
    node.put("encryption", info.encryption());
    node.put("updateMethod", info.updateMethod());
    node.put("baseMac", info.baseMac());
    node.put("hwAccessLocked", info.hwAccessLocked());
    node.put("trustedKeysKnown", profile.trustedKeysKnown());
    ArrayNode keys = node.putArray("trustedKeys");
    for (TrustedKey key : profile.trustedKeys()) {
      ObjectNode entry = keys.addObject();
      entry.put("uuid", key.uuid());
      if (key.hasKey()) {
        entry.put("publicKey", Base64.getEncoder().encodeToString(key.publicKeyDer()));
      }
    }
    node.put("forbiddenVersionsKnown", profile.forbiddenVersionsKnown());
    ArrayNode forbidden = node.putArray("forbiddenVersions");
    for (FwVersion version : profile.forbiddenVersions()) {
      forbidden.add(version.toString());
    }
    ArrayNode components = node.putArray("components");
    info.components().forEach(components::add);
    return node;
  }
}
