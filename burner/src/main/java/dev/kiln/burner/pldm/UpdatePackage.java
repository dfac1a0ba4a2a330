package dev.kiln.burner.pldm;

import dev.kiln.registers.pldm.Descriptor;
import dev.kiln.registers.pldm.VersionString;
import java.util.List;

/**
 * What the update agent needs of a DSP0267 firmware package (the pipeline fills it from the
 * package reader of {@code dev.kiln.packages.pldm}, so the burner stays free of package formats):
 * the firmware device ID records and the component images.
 *
 * @param source where the package came from, for messages
 * @param records the package's firmware device ID records, in package order
 * @param components the package's component image information entries with their images, in
 *     package order (a record's applicable components index this list)
 */
public record UpdatePackage(String source, List<Record> records, List<Component> components) {
  public UpdatePackage {
    records = List.copyOf(records);
    components = List.copyOf(components);
  }

  /**
   * One firmware device ID record.
   *
   * @param descriptors the descriptors a device must report for the record to apply
   * @param imageSetVersion ComponentImageSetVersionString
   * @param applicableComponents indexes into {@link UpdatePackage#components}
   */
  public record Record(
      List<Descriptor> descriptors, VersionString imageSetVersion,
      List<Integer> applicableComponents) {
    public Record {
      descriptors = List.copyOf(descriptors);
      applicableComponents = List.copyOf(applicableComponents);
    }
  }

  /**
   * One component image.
   *
   * @param classification ComponentClassification
   * @param identifier ComponentIdentifier
   * @param comparisonStamp ComponentComparisonStamp
   * @param version ComponentVersionString
   * @param image the component image's bytes
   */
  public record Component(
      int classification, int identifier, long comparisonStamp, VersionString version,
      byte[] image) {
    public Component {
      image = image.clone();
    }

    @Override
    public byte[] image() {
      return image.clone();
    }

    /** Size without a copy. */
    public int size() {
      return image.length;
    }

    byte[] imageView() {
      return image;
    }
  }
}
