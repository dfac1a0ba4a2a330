package dev.kiln.burner.pldm;

import dev.kiln.registers.pldm.Descriptor;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which firmware device ID record of a package applies to a device, as OpenBMC's update agent
 * decides it (openbmc/pldm {@code fw-update/manager.hpp}, {@code associatePkgToDevices}: a record
 * matches a device when the device's descriptors include every descriptor of the record; the
 * first matching record is used): type and data must be equal, byte for byte, so a PSID
 * descriptor matches only the same PSID with the same NUL.
 */
public final class RecordMatcher {
  private RecordMatcher() {}

  /** The first record whose descriptors the device all reports. */
  public static Optional<UpdatePackage.Record> match(
      List<UpdatePackage.Record> records, List<Descriptor> device) {
    Set<Descriptor> reported = new HashSet<>(device);
    for (UpdatePackage.Record record : records) {
      if (!record.descriptors().isEmpty() && reported.containsAll(record.descriptors())) {
        return Optional.of(record);
      }
    }
    return Optional.empty();
  }
}
