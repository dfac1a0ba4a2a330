package dev.kiln.pipeline.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.burner.DeviceException;
import dev.kiln.burner.DeviceInfo;
import dev.kiln.burner.DeviceUri;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.host.PciAdapter;
import dev.kiln.pipeline.cli.json.ImageJson;
import dev.kiln.registers.TransportException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code kiln devices [--device DEV]... [--json]}: the adapters of the host (every Mellanox PCI
 * function sysfs lists) and the devices named, each queried once (the query registers only: no
 * update handle is taken) for its PSID and running and pending versions. A device that does not
 * answer is listed with the reason. Exit 0 when the list was made, whatever the devices said.
 */
@Command(
    name = "devices",
    mixinStandardHelpOptions = true,
    description = {
      "List the host's adapters with their PSID and running and pending FW versions.",
      "Every PCI function with the Mellanox vendor id (0x15b3), with its RDMA and /dev/mst"
          + " names, and any device given with --device (emu:, tcp://). A device that does not"
          + " answer is listed with the reason."
    })
public final class DevicesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-d", "--device"},
      paramLabel = "DEV",
      converter = DeviceOptions.DeviceUriConverter.class,
      description = "Also list this device (any device URI); repeatable.")
  List<DeviceUri> named = new ArrayList<>();

  @Option(names = "--json", description = "Print one JSON object with a member per device.")
  boolean json;

  /**
   * What one device said.
   *
   * @param entry the device
   * @param info its query, when it answered
   * @param problem why it did not answer (one line), when it did not
   */
  record Probe(HostDevices.Entry entry, Optional<DeviceInfo> info, Optional<String> problem) {}

  @Override
  public Integer call() {
    List<Probe> probes = new ArrayList<>();
    for (HostDevices.Entry entry : HostDevices.hostAndNamed(named)) {
      probes.add(probe(entry));
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectNode root = ImageJson.object();
      ArrayNode devices = root.putArray("devices");
      probes.forEach(probe -> devices.add(toJson(probe)));
      out.println(ImageJson.render(root));
    } else {
      printText(out, probes);
    }
    return ExitCodes.OK;
  }

  static Probe probe(HostDevices.Entry entry) {
    try (SecureDevice session = DeviceOptions.open(entry.uri(), null)) {
      if (session.isLivefish()) {
        return new Probe(entry, Optional.empty(),
            Optional.of("in flash-not-present (livefish) recovery mode: no firmware runs"));
      }
      return new Probe(entry, Optional.of(session.query()), Optional.empty());
    } catch (DeviceException | TransportException | RuntimeException e) {
      // Whatever one device does (even an answer the codec cannot decode), the others are still
      // listed: the listing is how an operator finds the broken one.
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new Probe(entry, Optional.empty(), Optional.of(message));
    }
  }

  private static void printText(PrintWriter out, List<Probe> probes) {
    if (probes.isEmpty()) {
      out.println("No adapters: no PCI function with the Mellanox vendor id (0x15b3) on this"
          + " host, and no --device given.");
      return;
    }
    String format = "%-22s %-8s %-16s %-12s %-12s %s";
    out.println(
        String.format(Locale.ROOT, format, "DEVICE", "PCI ID", "PSID", "RUNNING", "PENDING",
            "NAMES"));
    for (Probe probe : probes) {
      Optional<DeviceInfo> info = probe.info();
      String names =
          probe.entry().adapter().map(DevicesCommand::names).orElse("");
      String pciId =
          info.map(i -> String.format(Locale.ROOT, "0x%04x", i.pciDeviceId()))
              .or(() -> probe.entry().adapter().map(PciAdapter::pciDeviceIdHex))
              .orElse("-");
      out.println(
          String.format(
                  Locale.ROOT, format, probe.entry().uri().text(), pciId,
                  info.map(DeviceInfo::psid).orElse("-"),
                  info.map(i -> i.runningVersion().toString()).orElse("-"),
                  info.flatMap(DeviceInfo::pendingVersion).map(Object::toString).orElse("-"),
                  names)
              .stripTrailing());
      probe.problem().ifPresent(problem -> out.println("  does not answer: " + problem));
    }
  }

  private static String names(PciAdapter adapter) {
    List<String> names = new ArrayList<>(adapter.rdmaNames());
    names.add(adapter.mstName());
    return String.join(" ", names);
  }

  /** One device of {@code kiln devices --json} (members: docs/burner.md). */
  static ObjectNode toJson(Probe probe) {
    ObjectNode node = ImageJson.object();
    node.put("device", probe.entry().uri().text());
    Optional<PciAdapter> adapter = probe.entry().adapter();
    Optional<DeviceInfo> info = probe.info();
    if (info.isPresent()) {
      node.put("pciDeviceId", String.format(Locale.ROOT, "0x%x", info.get().pciDeviceId()));
    } else if (adapter.isPresent()) {
      node.put("pciDeviceId", String.format(Locale.ROOT, "0x%x", adapter.get().pciDeviceId()));
    } else {
      node.putNull("pciDeviceId");
    }
    ArrayNode rdma = node.putArray("rdmaNames");
    adapter.ifPresent(a -> a.rdmaNames().forEach(rdma::add));
    if (adapter.isPresent()) {
      node.put("mstName", adapter.get().mstName());
    } else {
      node.putNull("mstName");
    }
    node.put("answered", info.isPresent());
    if (info.isPresent()) {
      DeviceInfo i = info.get();
      node.put("deviceName", i.deviceName());
      node.put("hwDeviceId", String.format(Locale.ROOT, "0x%x", i.hwDeviceId()));
      node.put("psid", i.psid());
      node.put("runningVersion", i.runningVersion().toString());
      if (i.pendingVersion().isPresent()) {
        node.put("pendingVersion", i.pendingVersion().get().toString());
      } else {
        node.putNull("pendingVersion");
      }
      node.putNull("error");
    } else {
      node.putNull("deviceName");
      node.putNull("hwDeviceId");
      node.putNull("psid");
      node.putNull("runningVersion");
      node.putNull("pendingVersion");
      node.put("error", probe.problem().orElse(""));
    }
    return node;
  }
}
