package dev.kiln.pipeline.packages;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.packages.mfa2.Mfa2Archive;
import dev.kiln.packages.mfa2.Mfa2Component;
import dev.kiln.packages.mfa2.Mfa2Device;
import dev.kiln.packages.pldm.ComponentImage;
import dev.kiln.registers.pldm.Descriptor;
import dev.kiln.packages.pldm.FirmwareDeviceRecord;
import dev.kiln.packages.pldm.PldmPackage;
import java.io.PrintWriter;
import java.util.stream.Collectors;

/**
 * What an MFA2 archive or a DSP0267 package holds, for people ({@link #print}) and scripts
 * ({@link #json}): {@code kiln bundle inspect} and {@code kiln inspect} show it.
 */
public final class PackageDescription {
  private PackageDescription() {}

  public static void print(PrintWriter out, ForeignPackage pkg) {
    line(out, "Package", pkg.source());
    if (pkg.mfa2().isPresent()) {
      Mfa2Archive archive = pkg.mfa2().get();
      line(out, "Format", "MFA2 archive");
      line(out, "Package version", archive.packageVersion().version());
      line(out, "Created", archive.packageVersion().creationTime());
      line(out, "Devices", Integer.toString(archive.devices().size()));
      for (Mfa2Device device : archive.devices()) {
        out.printf("  PSID %s: component %s%n", device.psid(), device.components().stream()
            .map(String::valueOf).collect(Collectors.joining(", ")));
      }
      for (int i = 0; i < archive.components().size(); i++) {
        Mfa2Component component = archive.components().get(i);
        line(out, "Component " + i, String.format(
            "FW %s, released %s, %d bytes, SHA-256 %s", component.version().paddedVersion(),
            component.version().releaseDate(), component.size(), component.sha256()));
      }
      return;
    }
    PldmPackage p = pkg.pldm().orElseThrow();
    line(out, "Format", "DSP0267 " + p.revision().specVersion() + " firmware package (header "
        + p.revision().identifier() + ")");
    line(out, "Package version", p.packageVersion().text());
    line(out, "Released", p.releaseTime().toString());
    for (int i = 0; i < p.deviceRecords().size(); i++) {
      FirmwareDeviceRecord record = p.deviceRecords().get(i);
      line(out, "Record " + i, "image set " + record.imageSetVersion().text() + ", component "
          + record.applicableComponents().stream().map(String::valueOf)
              .collect(Collectors.joining(", ")));
      for (Descriptor descriptor : record.descriptors()) {
        out.printf("  %s%n", descriptor.describe());
      }
    }
    if (!p.downstreamRecords().isEmpty()) {
      line(out, "Downstream records", Integer.toString(p.downstreamRecords().size()));
    }
    for (int i = 0; i < p.components().size(); i++) {
      ComponentImage component = p.components().get(i);
      line(out, "Component " + i, String.format(
          "classification 0x%04x, identifier %d, version %s, %d bytes, SHA-256 %s",
          component.classification(), component.identifier(), component.version().text(),
          component.size(), component.sha256()));
    }
  }

  public static ObjectNode json(ForeignPackage pkg) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("package", pkg.source());
    node.put("format", pkg.format().cliName());
    if (pkg.mfa2().isPresent()) {
      Mfa2Archive archive = pkg.mfa2().get();
      node.put("packageVersion", archive.packageVersion().version());
      node.put("created", archive.packageVersion().creationTime());
      ArrayNode devices = node.putArray("devices");
      for (Mfa2Device device : archive.devices()) {
        ObjectNode d = devices.addObject();
        d.put("psid", device.psid());
        device.components().forEach(d.putArray("components")::add);
      }
      ArrayNode components = node.putArray("components");
      for (Mfa2Component component : archive.components()) {
        ObjectNode c = components.addObject();
        c.put("fwVersion", component.version().paddedVersion());
        c.put("releaseDate", component.version().releaseDate());
        c.put("size", component.size());
        c.put("sha256", component.sha256());
      }
      return node;
    }
    PldmPackage p = pkg.pldm().orElseThrow();
    node.put("dsp0267", p.revision().specVersion());
    node.put("packageVersion", p.packageVersion().text());
    node.put("released", p.releaseTime().toString());
    ArrayNode records = node.putArray("records");
    for (FirmwareDeviceRecord record : p.deviceRecords()) {
      ObjectNode r = records.addObject();
      r.put("imageSetVersion", record.imageSetVersion().text());
      ArrayNode descriptors = r.putArray("descriptors");
      record.descriptors().forEach(d -> descriptors.add(d.describe()));
      record.applicableComponents().forEach(r.putArray("components")::add);
    }
    ArrayNode components = node.putArray("components");
    for (ComponentImage component : p.components()) {
      ObjectNode c = components.addObject();
      c.put("classification", component.classification());
      c.put("identifier", component.identifier());
      c.put("version", component.version().text());
      c.put("size", component.size());
      c.put("sha256", component.sha256());
    }
    return node;
  }

  private static void line(PrintWriter out, String label, String value) {
    out.printf("%-17s%s%n", label + ":", value);
  }
}
