package dev.kiln.pipeline.cli;

import dev.kiln.packages.pldm.ComponentImage;
import dev.kiln.registers.pldm.Descriptor;
import dev.kiln.packages.pldm.FirmwareDeviceRecord;
import dev.kiln.inspector.ImageParser;
import dev.kiln.packages.pldm.PldmFormatRevision;
import dev.kiln.packages.pldm.PldmImages;
import dev.kiln.packages.pldm.PldmPackage;
import dev.kiln.packages.pldm.PldmPackageWriter;
import dev.kiln.registers.pldm.PldmString;
import dev.kiln.packages.pldm.Timestamp104;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * DSP0267 packages for the PLDM burn tests, written by the {@code packages} module's writer: one
 * record with the descriptors NVIDIA's packages carry (PCI vendor id, PCI device id, the PSID),
 * one component (classification 0x000D, identifier 1) holding an image file as it is.
 */
final class PldmTestPackages {
  private PldmTestPackages() {}

  /** Kiln's own DSP0267 1.0 package of {@code image} ({@code PldmImages}, as a release writes it). */
  static Path of(Path dir, Path image, String name) throws Exception {
    PldmPackage pkg = PldmImages.packageFor(PldmFormatRevision.V1_0, "kiln-test-" + name,
        Instant.parse("2026-01-01T00:00:00Z"), List.of(ImageParser.parse(image)));
    Path out = dir.resolve(name + ".fwpkg");
    Files.write(out, PldmPackageWriter.toBytes(pkg));
    return out;
  }

  /**
   * A package whose one record names the sample device's PCI ids and {@code psid}, whatever
   * {@code image} holds: a mislabeled package, which only the device's own checks can refuse.
   */
  static Path mislabeled(Path dir, Path image, String version, String psid, String name)
      throws Exception {
    FirmwareDeviceRecord record = FirmwareDeviceRecord.of(version, List.of(
        Descriptor.pciVendorId(0x15B3),
        Descriptor.pciDeviceId(SampleFirmware.DEVICE.pciDeviceId()),
        Descriptor.psid(psid)), List.of(0));
    ComponentImage component = new ComponentImage(
        ComponentImage.CLASSIFICATION_SOFTWARE_BUNDLE, 1, 0, 0, 0b11_1000,
        PldmString.ascii(version), new byte[0], Files.readAllBytes(image));
    PldmPackage pkg = new PldmPackage(PldmFormatRevision.V1_0,
        Timestamp104.of(Instant.parse("2026-01-01T00:00:00Z")), 8,
        PldmString.ascii("kiln-test-" + version), List.of(record), List.of(), List.of(component));
    Path out = dir.resolve(name + ".fwpkg");
    Files.write(out, PldmPackageWriter.toBytes(pkg));
    return out;
  }
}
