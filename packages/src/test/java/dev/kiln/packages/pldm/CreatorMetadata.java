package dev.kiln.packages.pldm;

import dev.kiln.registers.pldm.PldmString;
import dev.kiln.registers.pldm.Descriptor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Turns a metadata file of OpenBMC's package creator ({@code pldm_fwup_pkg_creator.py}) into the
 * package our writer should make of it, field by field as the creator reads them: bit lists
 * become bitfields, "ApplicableComponents" lists component indexes, strings are ASCII.
 */
final class CreatorMetadata {
  private CreatorMetadata() {}

  static PldmPackage toPackage(Path metadataFile, List<byte[]> images) throws IOException {
    JsonNode metadata = new ObjectMapper().readTree(metadataFile.toFile());
    JsonNode info = metadata.get("PackageHeaderInformation");
    PldmFormatRevision revision =
        PldmFormatRevision.ofIdentifier(
                HexFormat.of().parseHex(info.get("PackageHeaderIdentifier").asText()))
            .orElseThrow();
    LocalDateTime time =
        LocalDateTime.parse(
            info.get("PackageReleaseDateTime").asText(),
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
    JsonNode componentNodes = metadata.get("ComponentImageInformationArea");
    List<ComponentImage> components = new ArrayList<>();
    for (int i = 0; i < componentNodes.size(); i++) {
      JsonNode node = componentNodes.get(i);
      components.add(
          new ComponentImage(
              node.get("ComponentClassification").asInt(),
              node.get("ComponentIdentifier").asInt(),
              ComponentImage.NO_COMPARISON_STAMP,
              bits(node.get("ComponentOptions")),
              bits(node.get("RequestedComponentActivationMethod")),
              PldmString.ascii(node.get("ComponentVersionString").asText()),
              new byte[0],
              images.get(i)));
    }
    List<FirmwareDeviceRecord> records = new ArrayList<>();
    for (JsonNode device : metadata.get("FirmwareDeviceIdentificationArea")) {
      List<Descriptor> descriptors = new ArrayList<>();
      for (JsonNode descriptor : device.get("Descriptors")) {
        int type = descriptor.get("DescriptorType").asInt();
        if (type == Descriptor.VENDOR_DEFINED) {
          descriptors.add(
              Descriptor.vendorDefined(
                  descriptor.get("VendorDefinedDescriptorTitleString").asText(),
                  HexFormat.of().parseHex(descriptor.get("VendorDefinedDescriptorData").asText())));
        } else {
          descriptors.add(
              new Descriptor(
                  type, HexFormat.of().parseHex(descriptor.get("DescriptorData").asText())));
        }
      }
      List<Integer> applicable = new ArrayList<>();
      for (JsonNode id : device.get("ApplicableComponents")) {
        applicable.add(id.asInt());
      }
      records.add(
          new FirmwareDeviceRecord(
              bits(device.get("DeviceUpdateOptionFlags")),
              PldmString.ascii(device.get("ComponentImageSetVersionString").asText()),
              descriptors,
              applicable,
              new byte[0],
              new byte[0]));
    }
    return new PldmPackage(
        revision,
        Timestamp104.of(time.toInstant(ZoneOffset.UTC)),
        PldmPackage.bitmapBitsFor(components.size()),
        PldmString.ascii(info.get("PackageVersionString").asText()),
        records,
        List.of(),
        components);
  }

  private static int bits(JsonNode list) {
    int value = 0;
    for (JsonNode bit : list) {
      value |= 1 << bit.asInt();
    }
    return value;
  }
}
