package dev.kiln.packages.mfa2;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An MFA2 archive ("Mellanox Firmware Archive 2"): what the kernel's {@code devlink dev flash}
 * (mlx5, {@code drivers/net/ethernet/mellanox/mlxfw/}), mlxfwmanager and {@code flint -i X.mfa2}
 * read. Read by {@link Mfa2Reader}, written by {@link Mfa2Writer}.
 *
 * <p>The file (kernel {@code mlxfw_mfa2.c}, the picture at its top, and {@code
 * mlxfw_mfa2_format.h}; mstflint 4.36 {@code mlxarchive/mlxarchive_mfa2.cpp}, {@code MFA2::pack}):
 *
 * <pre>
 * offset  what
 *   0     fingerprint "MLNX.MFA2.XZ.00!" (16 bytes)
 *  16     package descriptor multi-part TLV: package descriptor, version, 2 x SHA-256
 *   .     one device descriptor multi-part TLV per device: device descriptor, PSID, component
 *         pointer(s)
 *   .     one component descriptor multi-part TLV per component: component descriptor, version
 *  cb     the component block: one XZ stream (CRC-32 check) of, per component,
 *         "#BIN.COMPONENT!#" (16 bytes) then the component's bytes
 * </pre>
 *
 * Every element is a TLV, big-endian, each starting on a 4-byte boundary (zero padding):
 *
 * <pre>
 * TLV header:  0 u8 version (0)   1 u8 type   2 be16 length of the value   4 value
 * type 0x01  multi-part, value 4 bytes: be16 number of children after the first ("extensions"),
 *            be16 total length = the sum of (4 + length) of all its children; the children
 *            follow, and the next element starts at align4(start + 8 + total length)
 * type 0x02  package descriptor, 28 bytes: be16 num_components, be16 num_devices, be32 cb_offset,
 *            be32 cb_archive_size (compressed), be32 cb_size_h, be32 cb_size_l (uncompressed),
 *            u8 compression (1 = XZ, as mstarchive writes it; the kernel ignores it), 3 reserved,
 *            be32 user_data_offset (0)
 * type 0x03  device descriptor, 0 bytes (mstarchive)
 * type 0x04  component descriptor, 16 bytes: be16 pldm_classification, be16 identifier,
 *            be32 cb_offset_h, be32 cb_offset_l (offset of the component's marker in the
 *            uncompressed block), be32 size (without the marker)
 * type 0x21  version, 12 bytes ({@link Mfa2Version})
 * type 0x22  component pointer, 8 bytes: be16 storage_id (1), be16 component_index,
 *            be32 storage_address (0)
 * type 0x27  SHA-256, 32 bytes (mstarchive writes both digests with this type): first the digest
 *            of the descriptors (fingerprint to cb_offset) with both digests zero, followed by the
 *            compressed block; then the digest of those zeroed descriptors alone
 * type 0x2A  PSID, the PSID's ASCII bytes without NUL
 * </pre>
 *
 * The format has no signature over the archive: kiln adds a detached one beside it.
 */
public record Mfa2Archive(Mfa2Version packageVersion, List<Mfa2Device> devices, List<Mfa2Component> components) {

  public Mfa2Archive {
    devices = List.copyOf(devices);
    components = List.copyOf(components);
    if (devices.size() > 0xFFFF || components.size() > 0xFFFF) {
      throw new IllegalArgumentException("an MFA2 archive holds at most 65535 devices and components");
    }
    for (Mfa2Device device : devices) {
      for (int index : device.components()) {
        if (index < 0 || index >= components.size()) {
          throw new IllegalArgumentException(
              "device " + device.psid() + " points at component " + index + " of "
                  + components.size());
        }
      }
    }
  }

  /**
   * The device descriptor for a PSID as the kernel finds it ({@code mlxfw_mfa2_tlv_dev_get}: the
   * first device whose PSID has the same length and bytes). mstflint 4.36 ({@code
   * MFA2::getMatchingComponents}) looks at every device with the PSID and takes the latest
   * version; the two agree whenever a PSID has one device, which {@link Mfa2Writer} enforces.
   */
  public Optional<Mfa2Device> deviceFor(String psid) {
    return devices.stream().filter(device -> device.psid().equals(psid)).findFirst();
  }

  /** The components the kernel would flash for a PSID, in its pointer order (empty if none). */
  public List<Mfa2Component> componentsFor(String psid) {
    return deviceFor(psid).map(device -> device.components().stream().map(components::get).toList())
        .orElse(List.of());
  }

  /** PSIDs that more than one device descriptor names (the kernel and mstflint may differ). */
  public Set<String> repeatedPsids() {
    Set<String> seen = new HashSet<>();
    Set<String> repeated = new HashSet<>();
    for (Mfa2Device device : devices) {
      if (!seen.add(device.psid())) {
        repeated.add(device.psid());
      }
    }
    return repeated;
  }
}
