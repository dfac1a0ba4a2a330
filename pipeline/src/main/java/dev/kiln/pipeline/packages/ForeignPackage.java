package dev.kiln.pipeline.packages;

import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.packages.PackageFormatException;
import dev.kiln.packages.mfa2.Mfa2Archive;
import dev.kiln.packages.mfa2.Mfa2Component;
import dev.kiln.packages.mfa2.Mfa2Device;
import dev.kiln.packages.mfa2.Mfa2Reader;
import dev.kiln.packages.pldm.ComponentImage;
import dev.kiln.registers.pldm.Descriptor;
import dev.kiln.packages.pldm.FirmwareDeviceRecord;
import dev.kiln.packages.pldm.PldmPackage;
import dev.kiln.packages.pldm.PldmPackageReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An MFA2 archive or a DSP0267 package read once from a file: its bytes (what a detached
 * signature covers), the parsed package, and the FS4 images it holds. Exactly one of {@link
 * #mfa2()} and {@link #pldm()} is set.
 */
public final class ForeignPackage {
  private final String source;
  private final PackageFormat format;
  private final byte[] bytes;
  private final Mfa2Archive mfa2;
  private final PldmPackage pldm;

  private ForeignPackage(String source, PackageFormat format, byte[] bytes, Mfa2Archive mfa2, PldmPackage pldm) {
    this.source = source;
    this.format = format;
    this.bytes = bytes;
    this.mfa2 = mfa2;
    this.pldm = pldm;
  }

  /**
   * Reads an .mfa2 or .fwpkg file (by content).
   *
   * @throws PackageFormatException when it is neither, or is malformed (exit 3)
   */
  public static ForeignPackage read(Path file) throws IOException {
    return of(ImageParser.readFile(file), file.toString());
  }

  /** Reads package bytes held in memory. */
  public static ForeignPackage of(byte[] bytes, String source) throws PackageFormatException {
    PackageFormat format =
        PackageFormat.of(bytes)
            .orElseThrow(() -> new PackageFormatException(source + ": not an MFA2 archive or a DSP0267 package"));
    return switch (format) {
      case MFA2 -> new ForeignPackage(source, format, bytes.clone(), Mfa2Reader.read(bytes, source), null);
      case PLDM -> new ForeignPackage(source, format, bytes.clone(), null, PldmPackageReader.read(bytes, source));
      case KBUNDLE -> throw new PackageFormatException(source + ": a kiln bundle, not an MFA2 archive or a DSP0267 package");
    };
  }

  public String source() {
    return source;
  }

  public PackageFormat format() {
    return format;
  }

  /** The file's bytes as read. */
  public byte[] bytes() {
    return bytes.clone();
  }

  public Optional<Mfa2Archive> mfa2() {
    return Optional.ofNullable(mfa2);
  }

  public Optional<PldmPackage> pldm() {
    return Optional.ofNullable(pldm);
  }

  /** Every image the package holds, device by device (record by record). */
  public List<PackagedImage> images() {
    List<PackagedImage> images = new ArrayList<>();
    if (mfa2 != null) {
      for (Mfa2Device device : mfa2.devices()) {
        for (int index : device.components()) {
          Mfa2Component component = mfa2.components().get(index);
          images.add(new PackagedImage(device.psid() + " component " + index, device.psid(), component.image(), true));
        }
      }
    } else {
      for (int i = 0; i < pldm.deviceRecords().size(); i++) {
        FirmwareDeviceRecord record = pldm.deviceRecords().get(i);
        for (int index : record.applicableComponents()) {
          images.add(
              new PackagedImage(
                  "record " + i + " component " + index, record.psid().orElse(""),
                  pldm.components().get(index).image(), false));
        }
      }
    }
    return images;
  }

  /**
   * The image the package gives a device, chosen as that device's update path chooses it. MFA2:
   * the first component of the first device descriptor with the device's PSID (the kernel's
   * {@code mlxfw_mfa2_file_component_get}, index 0; mstflint agrees when a PSID has one device,
   * as in every archive kiln writes). DSP0267: the first component of the first record whose every
   * descriptor the device reports, as OpenBMC's update agent matches; the device reports its PCI
   * vendor id, the PCI device id of its HW id and its PSID descriptor, as a ConnectX adapter
   * answers QueryDeviceIdentifiers.
   */
  public Optional<PackagedImage> imageFor(String psid, int hwDeviceId) {
    if (mfa2 != null) {
      return mfa2.componentsFor(psid).stream()
          .findFirst()
          .map(component -> new PackagedImage(
              psid + " component " + mfa2.components().indexOf(component), psid, component.image(),
              true));
    }
    Optional<DeviceType> device = DeviceType.byHwId(hwDeviceId);
    if (device.isEmpty()) {
      return Optional.empty();
    }
    Set<Descriptor> reported =
        Set.of(
            Descriptor.pciVendorId(DeviceType.PCI_VENDOR_ID),
            Descriptor.pciDeviceId(device.get().pciDeviceId()),
            Descriptor.psid(psid));
    return pldm.recordFor(reported)
        .flatMap(record -> record.applicableComponents().stream().findFirst().map(index -> {
          ComponentImage component = pldm.components().get(index);
          return new PackagedImage(
              "record " + pldm.deviceRecords().indexOf(record) + " component " + index, psid,
              component.image(), false);
        }));
  }
}
