package dev.kiln.packages.pldm;

import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;

/**
 * The package header formats of DSP0267, each named by its PackageHeaderIdentifier (a UUID stored
 * as its 16 bytes in network order) and its PackageHeaderFormatRevision byte. What each revision
 * adds to the header (DSP0267 1.3.0, "Firmware package header"; the same fields in openbmc/pldm
 * {@code tools/fw-update/pldm_fwup_pkg_creator.py} and openbmc/libpldm {@code
 * src/dsp/firmware_update.c}):
 *
 * <ul>
 *   <li>1.0 (revision 1): header information, firmware device ID records, component image
 *       information, PackageHeaderChecksum.
 *   <li>1.1 (revision 2): the Downstream Device Identification Area after the device records.
 *   <li>1.2 (revision 3): ComponentOpaqueDataLength and ComponentOpaqueData in each component
 *       image information entry.
 *   <li>1.3 (revision 4): ReferenceManifestLength (and data) in every device record, and
 *       PldmFwPackagePayloadChecksum (CRC-32 of every byte after the header) after the header
 *       checksum.
 * </ul>
 */
public enum PldmFormatRevision {
  V1_0(1, "1.0", "f018878c-cb7d-4943-9800-a02f059aca02"),
  V1_1(2, "1.1", "1244d264-8d7d-4718-a030-fc8a56587d5a"),
  V1_2(3, "1.2", "3119ce2f-e80a-4a99-af6d-46f8b121f6bf"),
  V1_3(4, "1.3", "7b291c99-6db6-4208-801b-02026e463c78");

  private final int revision;
  private final String specVersion;
  private final UUID identifier;

  PldmFormatRevision(int revision, String specVersion, String identifier) {
    this.revision = revision;
    this.specVersion = specVersion;
    this.identifier = UUID.fromString(identifier);
  }

  /** The PackageHeaderFormatRevision byte. */
  public int revision() {
    return revision;
  }

  /** The DSP0267 version, "1.0" to "1.3". */
  public String specVersion() {
    return specVersion;
  }

  public UUID identifier() {
    return identifier;
  }

  /** The identifier as the 16 bytes a package stores. */
  public byte[] identifierBytes() {
    byte[] bytes = new byte[16];
    long high = identifier.getMostSignificantBits();
    long low = identifier.getLeastSignificantBits();
    for (int i = 0; i < 8; i++) {
      bytes[i] = (byte) (high >>> (56 - 8 * i));
      bytes[8 + i] = (byte) (low >>> (56 - 8 * i));
    }
    return bytes;
  }

  public boolean hasDownstreamDeviceArea() {
    return revision >= 2;
  }

  public boolean hasComponentOpaqueData() {
    return revision >= 3;
  }

  public boolean hasReferenceManifestAndPayloadChecksum() {
    return revision >= 4;
  }

  /** The revision whose identifier these 16 bytes are, if any. */
  public static Optional<PldmFormatRevision> ofIdentifier(byte[] identifier) {
    return Arrays.stream(values())
        .filter(value -> Arrays.equals(value.identifierBytes(), identifier))
        .findFirst();
  }

  /** The revision for a DSP0267 version given on a command line ("1.0" to "1.3"). */
  public static Optional<PldmFormatRevision> ofSpecVersion(String version) {
    return Arrays.stream(values()).filter(value -> value.specVersion.equals(version)).findFirst();
  }
}
