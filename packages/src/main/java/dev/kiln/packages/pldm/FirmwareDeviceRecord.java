package dev.kiln.packages.pldm;

import dev.kiln.registers.pldm.PldmString;
import dev.kiln.registers.pldm.Descriptor;
import java.util.Arrays;
import java.util.List;

/**
 * One FirmwareDeviceIDRecord: the descriptors a firmware device must report for the record to
 * apply, and which of the package's components it takes. Layout (DSP0267 1.3.0, "Firmware device
 * ID record"; all integers little-endian; k = ComponentBitmapBitLength / 8):
 *
 * <pre>
 * offset size field
 *   0     2   RecordLength (the whole record, this field included)
 *   2     1   DescriptorCount (at least 1)
 *   3     4   DeviceUpdateOptionFlags (bit 0: continue component updates after failure)
 *   7     1   ComponentImageSetVersionStringType
 *   8     1   ComponentImageSetVersionStringLength = v (at least 1)
 *   9     2   FirmwareDevicePackageDataLength = p
 *  [11    4   ReferenceManifestLength = m            (revision 4 / DSP0267 1.3 only)]
 *   .     k   ApplicableComponents (bit i: component i of the component image information area)
 *   .     v   ComponentImageSetVersionString
 *   .     .   RecordDescriptors (DescriptorCount descriptors, see {@link Descriptor})
 *   .     p   FirmwareDevicePackageData
 *  [.     m   ReferenceManifestData                  (revision 4 only)]
 * </pre>
 *
 * @param applicableComponents indexes (from 0, ascending) of the components the record applies to
 * @param packageData FirmwareDevicePackageData (usually empty)
 * @param referenceManifest ReferenceManifestData (revision 4 only; empty otherwise)
 */
public record FirmwareDeviceRecord(
    long updateOptionFlags,
    PldmString imageSetVersion,
    List<Descriptor> descriptors,
    List<Integer> applicableComponents,
    byte[] packageData,
    byte[] referenceManifest) {

  public FirmwareDeviceRecord {
    descriptors = List.copyOf(descriptors);
    applicableComponents = List.copyOf(applicableComponents);
    packageData = packageData.clone();
    referenceManifest = referenceManifest.clone();
    if (descriptors.isEmpty() || descriptors.size() > 255) {
      throw new IllegalArgumentException("a device record needs 1 to 255 descriptors");
    }
    if (imageSetVersion.length() == 0) {
      throw new IllegalArgumentException("a device record needs a component image set version");
    }
    if (packageData.length > 0xFFFF) {
      throw new IllegalArgumentException("FirmwareDevicePackageData longer than 65535 bytes");
    }
    for (int i = 1; i < applicableComponents.size(); i++) {
      if (applicableComponents.get(i) <= applicableComponents.get(i - 1)) {
        throw new IllegalArgumentException("applicable components must ascend");
      }
    }
  }

  /** A record as kiln writes one: no option flags, no package data, no manifest. */
  public static FirmwareDeviceRecord of(
      String imageSetVersion, List<Descriptor> descriptors, List<Integer> applicableComponents) {
    return new FirmwareDeviceRecord(
        0, PldmString.ascii(imageSetVersion), descriptors, applicableComponents, new byte[0],
        new byte[0]);
  }

  /** The same record with other DeviceUpdateOptionFlags. */
  public FirmwareDeviceRecord withUpdateOptionFlags(long flags) {
    return new FirmwareDeviceRecord(
        flags, imageSetVersion, descriptors, applicableComponents, packageData, referenceManifest);
  }

  @Override
  public byte[] packageData() {
    return packageData.clone();
  }

  @Override
  public byte[] referenceManifest() {
    return referenceManifest.clone();
  }

  /** The PSID of the record's vendor-defined "PSID" descriptor, if it has one. */
  public java.util.Optional<String> psid() {
    return descriptors.stream().flatMap(d -> d.psid().stream()).findFirst();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof FirmwareDeviceRecord that
        && updateOptionFlags == that.updateOptionFlags
        && imageSetVersion.equals(that.imageSetVersion)
        && descriptors.equals(that.descriptors)
        && applicableComponents.equals(that.applicableComponents)
        && Arrays.equals(packageData, that.packageData)
        && Arrays.equals(referenceManifest, that.referenceManifest);
  }

  @Override
  public int hashCode() {
    return descriptors.hashCode() * 31 + applicableComponents.hashCode();
  }

  @Override
  public String toString() {
    return "FirmwareDeviceRecord" + descriptors + " components " + applicableComponents;
  }
}
