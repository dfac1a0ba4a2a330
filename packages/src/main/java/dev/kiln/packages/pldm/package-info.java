/**
 * DSP0267 (PLDM for Firmware Update) firmware packages, ".fwpkg": what a BMC's update agent
 * reads to update an adapter over PLDM.
 *
 * <p>API:
 *
 * <ul>
 *   <li>{@link dev.kiln.packages.pldm.PldmPackageReader#read(java.nio.file.Path)} and {@link
 *       dev.kiln.packages.pldm.PldmPackageReader#read(byte[], String)} give a {@link
 *       dev.kiln.packages.pldm.PldmPackage} or throw a {@link
 *       dev.kiln.packages.PackageFormatException} (one line: file, field, offset; exit code 3 in
 *       the CLI) for an unknown header identifier, a bad length, a bad header or payload CRC-32.
 *   <li>{@link dev.kiln.packages.pldm.PldmPackage}: format revision ({@link
 *       dev.kiln.packages.pldm.PldmFormatRevision}, 1.0 to 1.3, with its header UUID), release
 *       time ({@link dev.kiln.packages.pldm.Timestamp104}), package version, the firmware device
 *       ID records ({@link dev.kiln.packages.pldm.FirmwareDeviceRecord}: descriptors as {@link
 *       dev.kiln.registers.pldm.Descriptor} type + data bytes, the applicable components as
 *       indexes), downstream device records, and the components ({@link
 *       dev.kiln.packages.pldm.ComponentImage}: classification, identifier, comparison stamp,
 *       options, activation methods, version string, opaque data and the component's bytes).
 *   <li>{@link dev.kiln.packages.pldm.PldmPackage#recordFor(java.util.Collection)}: the record
 *       for a device's QueryDeviceIdentifiers descriptors, chosen as OpenBMC's update agent
 *       chooses it (every descriptor of the record reported by the device; the first such
 *       record); {@link dev.kiln.packages.pldm.PldmPackage#componentsOf} its components.
 *   <li>{@link dev.kiln.packages.pldm.PldmPackageWriter#toBytes}: the package's bytes, equal to
 *       what OpenBMC's {@code pldm_fwup_pkg_creator.py} writes for the same metadata.
 * </ul>
 *
 * <p>NVIDIA ConnectX packages match an adapter by a vendor-defined descriptor titled "PSID" whose
 * value is the PSID in ASCII plus a NUL ({@link dev.kiln.registers.pldm.Descriptor#psid(String)}),
 * beside the PCI vendor and device ids; mstflint 4.36's reader needs the NUL and never looks at
 * the last descriptor, so the device id is never written last.
 */
package dev.kiln.packages.pldm;

