package dev.kiln.packages.pldm;

import dev.kiln.registers.pldm.PldmString;
import dev.kiln.registers.pldm.Descriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A DSP0267 firmware update package (".fwpkg"), as {@link PldmPackageReader} reads it and {@link
 * PldmPackageWriter} writes it. The package header (DSP0267 1.3.0, "Firmware package header";
 * little-endian):
 *
 * <pre>
 * offset size field
 *   0    16   PackageHeaderIdentifier (UUID, one per format revision, {@link PldmFormatRevision})
 *  16     1   PackageHeaderFormatRevision (1 to 4)
 *  17     2   PackageHeaderSize (every byte before the first component, checksums included)
 *  19    13   PackageReleaseDateTime ({@link Timestamp104})
 *  32     2   ComponentBitmapBitLength (a multiple of 8)
 *  34     1   PackageVersionStringType
 *  35     1   PackageVersionStringLength = v (at least 1)
 *  36     v   PackageVersionString
 *   .     1   DeviceIDRecordCount, then the records ({@link FirmwareDeviceRecord})
 *  [.     1   DownstreamDeviceIDRecordCount, then the records   (revision 2 and later,
 *             {@link DownstreamDeviceRecord})]
 *   .     2   ComponentImageCount, then the entries ({@link ComponentImage})
 *   .     4   PackageHeaderChecksum: CRC-32 (IEEE 802.3, zlib's crc32) of every header byte before it
 *  [.     4   PldmFwPackagePayloadChecksum: CRC-32 of every byte after the header (revision 4)]
 * </pre>
 *
 * followed by the component images at their ComponentLocationOffsets.
 *
 * @param componentBitmapBitLength ComponentBitmapBitLength: bits of every ApplicableComponents
 */
public record PldmPackage(
    PldmFormatRevision revision,
    Timestamp104 releaseTime,
    int componentBitmapBitLength,
    PldmString packageVersion,
    List<FirmwareDeviceRecord> deviceRecords,
    List<DownstreamDeviceRecord> downstreamRecords,
    List<ComponentImage> components) {

  public PldmPackage {
    deviceRecords = List.copyOf(deviceRecords);
    downstreamRecords = List.copyOf(downstreamRecords);
    components = List.copyOf(components);
    if (componentBitmapBitLength % 8 != 0 || componentBitmapBitLength > 0xFFF8) {
      throw new IllegalArgumentException("ComponentBitmapBitLength must be a multiple of 8");
    }
    if (components.size() > componentBitmapBitLength) {
      throw new IllegalArgumentException(
          components.size() + " components do not fit a " + componentBitmapBitLength
              + "-bit ApplicableComponents bitmap");
    }
    if (deviceRecords.size() > 255 || downstreamRecords.size() > 255) {
      throw new IllegalArgumentException("a package holds at most 255 records of each kind");
    }
    if (!downstreamRecords.isEmpty() && !revision.hasDownstreamDeviceArea()) {
      throw new IllegalArgumentException("DSP0267 1.0 packages have no downstream device records");
    }
    if (packageVersion.length() == 0) {
      throw new IllegalArgumentException("a package needs a version string");
    }
    List<List<Integer>> applicable = new ArrayList<>();
    deviceRecords.forEach(record -> applicable.add(record.applicableComponents()));
    downstreamRecords.forEach(record -> applicable.add(record.applicableComponents()));
    for (List<Integer> indexes : applicable) {
      for (int index : indexes) {
        if (index < 0 || index >= components.size()) {
          throw new IllegalArgumentException(
              "a record applies to component " + index + " of " + components.size());
        }
      }
    }
  }

  /** The smallest bitmap length for this many components, as OpenBMC's creator chooses it. */
  public static int bitmapBitsFor(int componentCount) {
    return Math.max(8, (componentCount + 7) / 8 * 8);
  }

  /**
   * The first device record whose every descriptor the device reports, as OpenBMC's update agent
   * picks one (openbmc/pldm {@code fw-update/update_manager.cpp}: {@code std::includes} of the
   * record's descriptors in the device's QueryDeviceIdentifiers descriptors). A device that
   * reports more descriptors than a record names still matches it; a record naming a
   * descriptor the device does not report (another PSID, another device id) does not.
   */
  public Optional<FirmwareDeviceRecord> recordFor(Collection<Descriptor> deviceDescriptors) {
    return deviceRecords.stream()
        .filter(record -> deviceDescriptors.containsAll(record.descriptors()))
        .findFirst();
  }

  /** The components a record applies to, in package order. */
  public List<ComponentImage> componentsOf(FirmwareDeviceRecord record) {
    return record.applicableComponents().stream().map(components::get).toList();
  }

  /** The first record carrying this PSID in a vendor-defined "PSID" descriptor. */
  public Optional<FirmwareDeviceRecord> recordForPsid(String psid) {
    return deviceRecords.stream()
        .filter(record -> record.psid().filter(psid::equals).isPresent())
        .findFirst();
  }
}
