package dev.kiln.burner.pldm;

import dev.kiln.registers.pldm.Descriptor;
import dev.kiln.registers.pldm.PldmString;
import java.util.List;
import java.util.Optional;

/**
 * What the update agent needs of a DSP0267 firmware package. The pipeline implements it over the
 * package reader of {@code dev.kiln.packages.pldm} (whose record choice is OpenBMC's agent's: the
 * first record whose every descriptor the device reports), so the burner stays free of package
 * formats and there is one reader and one matching rule.
 */
public interface UpdatePackage {
  /** Where the package came from, for messages. */
  String source();

  /** The record that applies to a device reporting {@code descriptors}, and its components. */
  Optional<Selection> select(List<Descriptor> descriptors);

  /** The records' descriptors, for the message when none matches. */
  String describeRecords();

  /**
   * The matching record's image set version and the components it applies to, in package order.
   */
  record Selection(PldmString imageSetVersion, List<Component> components) {
    public Selection {
      components = List.copyOf(components);
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
  record Component(
      int classification, int identifier, long comparisonStamp, PldmString version,
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
