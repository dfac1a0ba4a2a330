package dev.kiln.packages.pldm;

import dev.kiln.registers.pldm.PldmString;
import dev.kiln.registers.pldm.Descriptor;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Writes a {@link PldmPackage} as DSP0267 bytes in its format revision, computing every length,
 * offset and checksum itself: RecordLength, PackageHeaderSize, the ComponentLocationOffsets (the
 * components one after another right behind the header, in package order), the
 * PackageHeaderChecksum and, for 1.3, the PldmFwPackagePayloadChecksum. Field order and values
 * follow DSP0267 1.3.0 as openbmc/pldm's {@code tools/fw-update/pldm_fwup_pkg_creator.py} writes
 * them, so that for the same metadata both produce the same bytes (tested against packages the
 * creator made).
 *
 * <p>Output is deterministic: the release time is a field of the package, never the clock.
 */
public final class PldmPackageWriter {
  private PldmPackageWriter() {}

  public static byte[] toBytes(PldmPackage pkg) {
    PldmFormatRevision revision = pkg.revision();
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    header.writeBytes(revision.identifierBytes());
    header.write(revision.revision());
    LittleEndian.u16(header, 0); // PackageHeaderSize, patched below
    pkg.releaseTime().writeTo(header);
    LittleEndian.u16(header, pkg.componentBitmapBitLength());
    writeString(header, pkg.packageVersion());

    header.write(pkg.deviceRecords().size());
    for (FirmwareDeviceRecord record : pkg.deviceRecords()) {
      writeRecord(
          header, revision, pkg.componentBitmapBitLength(), record.updateOptionFlags(),
          record.imageSetVersion(), null, record.descriptors(), record.applicableComponents(),
          record.packageData(), record.referenceManifest());
    }
    if (revision.hasDownstreamDeviceArea()) {
      header.write(pkg.downstreamRecords().size());
      for (DownstreamDeviceRecord record : pkg.downstreamRecords()) {
        Long stamp =
            record.supportsSelfContainedActivation()
                ? record.selfContainedActivationMinComparisonStamp()
                : null;
        writeRecord(
            header, revision, pkg.componentBitmapBitLength(), record.updateOptionFlags(),
            record.selfContainedActivationMinVersion(), stamp, record.descriptors(),
            record.applicableComponents(), record.packageData(), record.referenceManifest());
      }
    }

    LittleEndian.u16(header, pkg.components().size());
    int[] offsetFields = new int[pkg.components().size()];
    for (int i = 0; i < pkg.components().size(); i++) {
      ComponentImage component = pkg.components().get(i);
      LittleEndian.u16(header, component.classification());
      LittleEndian.u16(header, component.identifier());
      LittleEndian.u32(header, component.comparisonStamp());
      LittleEndian.u16(header, component.options());
      LittleEndian.u16(header, component.activationMethods());
      offsetFields[i] = header.size();
      LittleEndian.u32(header, 0); // ComponentLocationOffset, patched below
      LittleEndian.u32(header, component.size());
      writeString(header, component.version());
      if (revision.hasComponentOpaqueData()) {
        LittleEndian.u32(header, component.opaqueData().length);
        header.writeBytes(component.opaqueData());
      } else if (component.opaqueData().length > 0) {
        throw new IllegalArgumentException(
            "DSP0267 " + revision.specVersion() + " has no room for component opaque data");
      }
    }

    int checksums = revision.hasReferenceManifestAndPayloadChecksum() ? 8 : 4;
    int headerSize = header.size() + checksums;
    if (headerSize > 0xFFFF) {
      throw new IllegalArgumentException(
          "the package header would be " + headerSize + " bytes; PackageHeaderSize is 16 bits");
    }
    long payloadSize = pkg.components().stream().mapToLong(ComponentImage::size).sum();
    if (headerSize + payloadSize > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("the package would be larger than 2 GiB");
    }
    byte[] bytes = new byte[(int) (headerSize + payloadSize)];
    byte[] headerBytes = header.toByteArray();
    System.arraycopy(headerBytes, 0, bytes, 0, headerBytes.length);
    bytes[17] = (byte) headerSize;
    bytes[18] = (byte) (headerSize >>> 8);
    int at = headerSize;
    for (int i = 0; i < pkg.components().size(); i++) {
      LittleEndian.put32(bytes, offsetFields[i], at);
      byte[] image = pkg.components().get(i).image();
      System.arraycopy(image, 0, bytes, at, image.length);
      at += image.length;
    }
    int checksumAt = headerBytes.length;
    LittleEndian.put32(bytes, checksumAt, PldmPackageReader.crc32(bytes, 0, checksumAt));
    if (revision.hasReferenceManifestAndPayloadChecksum()) {
      LittleEndian.put32(
          bytes, checksumAt + 4, PldmPackageReader.crc32(bytes, headerSize, bytes.length - headerSize));
    }
    return bytes;
  }

  private static void writeRecord(
      ByteArrayOutputStream out,
      PldmFormatRevision revision,
      int bitmapBits,
      long flags,
      PldmString version,
      Long comparisonStamp,
      List<Descriptor> descriptors,
      List<Integer> applicable,
      byte[] packageData,
      byte[] manifest) {
    if (manifest.length > 0 && !revision.hasReferenceManifestAndPayloadChecksum()) {
      throw new IllegalArgumentException(
          "DSP0267 " + revision.specVersion() + " has no room for a reference manifest");
    }
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    LittleEndian.u16(record, 0); // RecordLength, patched below
    record.write(descriptors.size());
    LittleEndian.u32(record, flags);
    record.write(version.type());
    record.write(version.length());
    LittleEndian.u16(record, packageData.length);
    if (revision.hasReferenceManifestAndPayloadChecksum()) {
      LittleEndian.u32(record, manifest.length);
    }
    byte[] bitmap = new byte[bitmapBits / 8];
    for (int index : applicable) {
      bitmap[index / 8] |= (byte) (1 << (index % 8));
    }
    record.writeBytes(bitmap);
    record.writeBytes(version.bytes());
    if (comparisonStamp != null) {
      LittleEndian.u32(record, comparisonStamp);
    }
    descriptors.forEach(descriptor -> descriptor.writeTo(record));
    record.writeBytes(packageData);
    record.writeBytes(manifest);
    byte[] bytes = record.toByteArray();
    if (bytes.length > 0xFFFF) {
      throw new IllegalArgumentException("a device record longer than 65535 bytes");
    }
    bytes[0] = (byte) bytes.length;
    bytes[1] = (byte) (bytes.length >>> 8);
    out.writeBytes(bytes);
  }

  private static void writeString(ByteArrayOutputStream out, PldmString string) {
    out.write(string.type());
    out.write(string.length());
    out.writeBytes(string.bytes());
  }
}
