package dev.kiln.packages.pldm;

import dev.kiln.registers.pldm.PldmString;
import dev.kiln.registers.pldm.Descriptor;
import java.util.Arrays;
import java.util.List;

/**
 * One DownstreamDeviceIDRecord (DSP0267 1.1 and later: a device behind the firmware device).
 * Layout (DSP0267 1.3.0, "Downstream device ID record"; the same order as openbmc/pldm's package
 * creator writes; little-endian; k = ComponentBitmapBitLength / 8):
 *
 * <pre>
 * offset size field
 *   0     2   RecordLength (the whole record)
 *   2     1   DescriptorCount (at least 1)
 *   3     4   UpdateOptionFlags (bit 0: supports self-contained activation)
 *   7     1   SelfContainedActivationMinVersionStringType
 *   8     1   SelfContainedActivationMinVersionStringLength = v
 *   9     2   PackageDataLength = p
 *  [11    4   ReferenceManifestLength = m                   (revision 4 only)]
 *   .     k   ApplicableComponents
 *   .     v   SelfContainedActivationMinVersionString
 *  [.     4   SelfContainedActivationMinVersionComparisonStamp (only when flag bit 0 is set)]
 *   .     .   RecordDescriptors
 *   .     p   PackageData
 *  [.     m   ReferenceManifestData                         (revision 4 only)]
 * </pre>
 *
 * Kiln writes no downstream records (a ConnectX adapter has no downstream devices); the reader
 * reads them so that a package with some is shown, not refused.
 */
public record DownstreamDeviceRecord(
    long updateOptionFlags,
    PldmString selfContainedActivationMinVersion,
    long selfContainedActivationMinComparisonStamp,
    List<Descriptor> descriptors,
    List<Integer> applicableComponents,
    byte[] packageData,
    byte[] referenceManifest) {

  public DownstreamDeviceRecord {
    descriptors = List.copyOf(descriptors);
    applicableComponents = List.copyOf(applicableComponents);
    packageData = packageData.clone();
    referenceManifest = referenceManifest.clone();
    if (descriptors.isEmpty() || descriptors.size() > 255) {
      throw new IllegalArgumentException("a downstream device record needs 1 to 255 descriptors");
    }
  }

  /** Whether the SelfContainedActivationMinVersionComparisonStamp field is stored. */
  public boolean supportsSelfContainedActivation() {
    return (updateOptionFlags & 1) != 0;
  }

  @Override
  public byte[] packageData() {
    return packageData.clone();
  }

  @Override
  public byte[] referenceManifest() {
    return referenceManifest.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DownstreamDeviceRecord that
        && updateOptionFlags == that.updateOptionFlags
        && selfContainedActivationMinVersion.equals(that.selfContainedActivationMinVersion)
        && selfContainedActivationMinComparisonStamp
            == that.selfContainedActivationMinComparisonStamp
        && descriptors.equals(that.descriptors)
        && applicableComponents.equals(that.applicableComponents)
        && Arrays.equals(packageData, that.packageData)
        && Arrays.equals(referenceManifest, that.referenceManifest);
  }

  @Override
  public int hashCode() {
    return descriptors.hashCode();
  }

  @Override
  public String toString() {
    return "DownstreamDeviceRecord" + descriptors + " components " + applicableComponents;
  }
}
