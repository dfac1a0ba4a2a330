package dev.kiln.pipeline.cli;

import dev.kiln.burner.pldm.UpdatePackage;
import dev.kiln.packages.pldm.ComponentImage;
import dev.kiln.packages.pldm.FirmwareDeviceRecord;
import dev.kiln.packages.pldm.PldmPackage;
import dev.kiln.registers.pldm.Descriptor;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A package read by {@code packages.pldm.PldmPackageReader} as the update agent's {@link
 * UpdatePackage}: the record is the one {@link PldmPackage#recordFor} picks for the device's
 * descriptors (OpenBMC's agent's rule), so the reader and the rule exist once. Descriptors and
 * strings are the same records on both sides, so nothing is converted.
 */
final class PldmPackageUpdate implements UpdatePackage {
  private final PldmPackage pkg;
  private final String source;

  PldmPackageUpdate(PldmPackage pkg, String source) {
    this.pkg = pkg;
    this.source = source;
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public Optional<Selection> select(List<Descriptor> descriptors) {
    return pkg.recordFor(descriptors).map(this::selection);
  }

  private Selection selection(FirmwareDeviceRecord record) {
    List<Component> components = pkg.componentsOf(record).stream()
        .map(PldmPackageUpdate::component)
        .toList();
    return new Selection(record.imageSetVersion(), components);
  }

  private static Component component(ComponentImage image) {
    return new Component(image.classification(), image.identifier(), image.comparisonStamp(),
        image.version(), image.image());
  }

  @Override
  public String describeRecords() {
    return pkg.deviceRecords().stream()
        .map(r -> "[" + r.descriptors().stream()
            .map(Descriptor::describe)
            .collect(Collectors.joining(", ")) + "]")
        .collect(Collectors.joining(" or "));
  }
}
