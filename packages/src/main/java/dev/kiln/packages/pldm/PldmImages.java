package dev.kiln.packages.pldm;

import dev.kiln.registers.pldm.PldmString;
import dev.kiln.registers.pldm.Descriptor;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageFormatException;
import dev.kiln.inspector.ImageSummary;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.ImageInfo;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the DSP0267 package kiln writes for a set of FS4 images: per image, in the order given,
 * one component holding the whole image file (an FS4 image with its magic, as NVIDIA's packages
 * and the fixture {@code pldm} carry it) and one firmware device ID record applying to it alone,
 * with the descriptors PCI vendor id, PCI device id, PSID in that order (mstflint 4.36's reader
 * never looks at the last descriptor, so the device id is not last; the PSID is NUL-terminated).
 * The fields OpenBMC's package creator takes from its metadata get the values of the fixture's
 * metadata: DeviceUpdateOptionFlags bit 0, classification 0x000D, identifier 1, no comparison
 * stamp, ComponentOptions bit 0 (force update), activation methods bits 3, 4, 5; every string is
 * ASCII, the image set and component version strings are the image's FW version.
 */
public final class PldmImages {
  /** ComponentIdentifier of the ConnectX firmware component. */
  public static final int FIRMWARE_IDENTIFIER = 1;

  /** RequestedComponentActivationMethod: system reboot, DC and AC power cycle (bits 3-5). */
  public static final int ACTIVATION_METHODS = 0b111000;

  private PldmImages() {}

  /**
   * @throws ImageFormatException when an image has no IMAGE_INFO with a PSID
   * @throws IllegalArgumentException when two images have the same PSID and PCI device id
   */
  public static PldmPackage packageFor(
      PldmFormatRevision revision, String packageVersion, Instant released, List<Fs4Image> images)
      throws ImageFormatException {
    List<FirmwareDeviceRecord> records = new ArrayList<>();
    List<ComponentImage> components = new ArrayList<>();
    Set<List<Descriptor>> seen = new HashSet<>();
    for (Fs4Image image : images) {
      ImageSummary summary = ImageSummary.of(image);
      ImageInfo info = summary.imageInfo();
      if (info == null || summary.psid() == null || summary.psid().isEmpty()) {
        throw new ImageFormatException(image.source() + ": no IMAGE_INFO with a PSID to package it under");
      }
      List<Descriptor> descriptors =
          List.of(
              Descriptor.pciVendorId(info.pciVendorId() != 0 ? info.pciVendorId() : DeviceType.PCI_VENDOR_ID),
              Descriptor.pciDeviceId(pciDeviceId(image, info)),
              Descriptor.psid(summary.psid()));
      if (!seen.add(descriptors)) {
        throw new IllegalArgumentException(
            image.source() + ": a second image for " + descriptors
                + " (a BMC would take the first record only)");
      }
      String version = info.fwVersion().toString();
      records.add(FirmwareDeviceRecord.of(version, descriptors, List.of(components.size()))
          .withUpdateOptionFlags(1));
      ByteBuffer bytes = image.bytes();
      byte[] copy = new byte[bytes.limit()];
      bytes.position(0).get(copy);
      components.add(
          new ComponentImage(
              ComponentImage.CLASSIFICATION_SOFTWARE_BUNDLE, FIRMWARE_IDENTIFIER,
              ComponentImage.NO_COMPARISON_STAMP, ComponentImage.OPTION_FORCE_UPDATE,
              ACTIVATION_METHODS, PldmString.ascii(version), new byte[0], copy));
    }
    return new PldmPackage(
        revision, Timestamp104.of(released), PldmPackage.bitmapBitsFor(components.size()),
        PldmString.ascii(packageVersion), records, List.of(), components);
  }

  private static int pciDeviceId(Fs4Image image, ImageInfo info) throws ImageFormatException {
    if (info.pciDeviceId() != 0) {
      return info.pciDeviceId();
    }
    return info.device()
        .map(DeviceType::pciDeviceId)
        .orElseThrow(
            () ->
                new ImageFormatException(
                    image.source() + ": IMAGE_INFO names no PCI device id and no HW id kiln knows"));
  }
}
