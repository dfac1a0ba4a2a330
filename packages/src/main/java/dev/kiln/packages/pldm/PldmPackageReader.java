package dev.kiln.packages.pldm;

import dev.kiln.registers.pldm.PldmString;
import dev.kiln.registers.pldm.Descriptor;
import dev.kiln.inspector.ImageParser;
import dev.kiln.packages.ByteCursor;
import dev.kiln.packages.PackageFormatException;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Reads a DSP0267 firmware update package of any format revision (1.0 to 1.3; layouts in {@link
 * PldmPackage}, {@link FirmwareDeviceRecord}, {@link DownstreamDeviceRecord}, {@link
 * ComponentImage}, {@link Descriptor}). Refused, each with one {@link PackageFormatException}
 * line naming the file, the field and the offset:
 *
 * <ul>
 *   <li>an unknown PackageHeaderIdentifier, or a format revision that is not the identifier's;
 *   <li>a PackageHeaderSize, RecordLength, string, descriptor or component that does not fit
 *       where its length says (the header area must be consumed exactly up to the checksums);
 *   <li>a PackageHeaderChecksum, or (1.3) PldmFwPackagePayloadChecksum, that is not the CRC-32 of
 *       the bytes it covers;
 *   <li>a string of an undefined type or empty where DSP0267 requires one, a descriptor of a
 *       standard type with the wrong data length, a vendor-defined descriptor without a title, a
 *       record with no descriptor, an ApplicableComponents bit for a component the package does
 *       not have, a ComponentBitmapBitLength that is not a multiple of 8.
 * </ul>
 *
 * Every length is checked against the bytes left before anything is allocated ({@link
 * ByteCursor}); a file is read once, with one bounded read ({@link ImageParser#readFile}, 256 MiB
 * at most), so the bytes checked are the bytes returned.
 *
 * <p>Independent readers this one was checked against: openbmc/libpldm {@code
 * src/dsp/firmware_update.c} ({@code decode_pldm_package_header_info}, {@code
 * decode_firmware_device_id_record}), openbmc/pldm {@code fw-update/package_parser.cpp},
 * mstflint 4.36 {@code pldmlib/}.
 */
public final class PldmPackageReader {
  private static final int FIXED_HEADER_LENGTH = 36;

  private PldmPackageReader() {}

  /** Reads a package file. */
  public static PldmPackage read(Path path) throws IOException {
    return read(ImageParser.readFile(path), path.toString());
  }

  /** Reads a package held in memory; {@code source} names it in messages. */
  public static PldmPackage read(byte[] bytes, String source) throws PackageFormatException {
    ByteCursor file = ByteCursor.over(bytes, ByteOrder.LITTLE_ENDIAN, source);
    byte[] identifier = file.bytes(16, "PackageHeaderIdentifier");
    PldmFormatRevision revision =
        PldmFormatRevision.ofIdentifier(identifier)
            .orElseThrow(
                () ->
                    new PackageFormatException(
                        source
                            + ": not a DSP0267 package: unknown PackageHeaderIdentifier "
                            + HexFormat.of().formatHex(identifier)));
    int formatRevision = file.u8("PackageHeaderFormatRevision");
    if (formatRevision != revision.revision()) {
      throw new PackageFormatException(
          String.format(
              "%s: PackageHeaderFormatRevision %d does not match the DSP0267 %s identifier (%d)",
              source, formatRevision, revision.specVersion(), revision.revision()));
    }
    int headerSize = file.u16("PackageHeaderSize");
    int checksums = revision.hasReferenceManifestAndPayloadChecksum() ? 8 : 4;
    if (headerSize < FIXED_HEADER_LENGTH + 1 + 1 + 2 + checksums || headerSize > bytes.length) {
      throw new PackageFormatException(
          String.format(
              "%s: PackageHeaderSize %d is impossible for a %d-byte DSP0267 %s package",
              source, headerSize, bytes.length, revision.specVersion()));
    }
    int checksummed = headerSize - checksums;
    long headerChecksum = storedU32(bytes, checksummed);
    long computedHeader = crc32(bytes, 0, checksummed);
    if (headerChecksum != computedHeader) {
      throw new PackageFormatException(
          String.format(
              "%s: PackageHeaderChecksum 0x%08x at offset 0x%x does not match the header's"
                  + " CRC-32 0x%08x",
              source, headerChecksum, checksummed, computedHeader));
    }
    if (revision.hasReferenceManifestAndPayloadChecksum()) {
      long payloadChecksum = storedU32(bytes, checksummed + 4);
      long computedPayload = crc32(bytes, headerSize, bytes.length - headerSize);
      if (payloadChecksum != computedPayload) {
        throw new PackageFormatException(
            String.format(
                "%s: PldmFwPackagePayloadChecksum 0x%08x does not match the payload's CRC-32"
                    + " 0x%08x (%d bytes after the header)",
                source, payloadChecksum, computedPayload, bytes.length - headerSize));
      }
    }

    ByteCursor header = file.at(file.position(), checksummed - file.position(), "package header");
    Timestamp104 releaseTime = Timestamp104.read(header);
    int bitmapBits = header.u16("ComponentBitmapBitLength");
    if (bitmapBits % 8 != 0) {
      throw header.failure("ComponentBitmapBitLength " + bitmapBits + " is not a multiple of 8");
    }
    PldmString packageVersion = requiredString(header, "PackageVersionString");

    int recordCount = header.u8("DeviceIDRecordCount");
    List<RecordFields> deviceRecords = new ArrayList<>();
    for (int i = 0; i < recordCount; i++) {
      deviceRecords.add(readRecord(header, revision, bitmapBits, false, "firmware device record " + i));
    }
    List<RecordFields> downstream = new ArrayList<>();
    if (revision.hasDownstreamDeviceArea()) {
      int downstreamCount = header.u8("DownstreamDeviceIDRecordCount");
      for (int i = 0; i < downstreamCount; i++) {
        downstream.add(readRecord(header, revision, bitmapBits, true, "downstream device record " + i));
      }
    }
    int componentCount = header.u16("ComponentImageCount");
    if (componentCount > bitmapBits) {
      throw header.failure(
          componentCount + " components do not fit the " + bitmapBits
              + "-bit ComponentBitmapBitLength");
    }
    List<ComponentImage> components = new ArrayList<>();
    for (int i = 0; i < componentCount; i++) {
      components.add(readComponent(header, file, revision, headerSize, "component " + i));
    }
    header.requireConsumed("the package header (up to PackageHeaderChecksum)");

    List<FirmwareDeviceRecord> records = new ArrayList<>();
    for (RecordFields fields : deviceRecords) {
      fields.checkComponents(componentCount, source);
      records.add(
          new FirmwareDeviceRecord(
              fields.flags, fields.version, fields.descriptors, fields.applicable,
              fields.packageData, fields.manifest));
    }
    List<DownstreamDeviceRecord> downstreamRecords = new ArrayList<>();
    for (RecordFields fields : downstream) {
      fields.checkComponents(componentCount, source);
      downstreamRecords.add(
          new DownstreamDeviceRecord(
              fields.flags, fields.version, fields.comparisonStamp, fields.descriptors,
              fields.applicable, fields.packageData, fields.manifest));
    }
    return new PldmPackage(
        revision, releaseTime, bitmapBits, packageVersion, records, downstreamRecords, components);
  }

  /** The fields both kinds of device record share (see the two record classes for layouts). */
  private record RecordFields(
      String name,
      long flags,
      PldmString version,
      long comparisonStamp,
      List<Descriptor> descriptors,
      List<Integer> applicable,
      byte[] packageData,
      byte[] manifest) {

    void checkComponents(int componentCount, String source) throws PackageFormatException {
      for (int index : applicable) {
        if (index >= componentCount) {
          throw new PackageFormatException(
              String.format(
                  "%s: %s applies to component %d, the package has %d",
                  source, name, index, componentCount));
        }
      }
    }
  }

  private static RecordFields readRecord(
      ByteCursor area, PldmFormatRevision revision, int bitmapBits, boolean downstream, String name)
      throws PackageFormatException {
    int recordLength = area.u16(name + " RecordLength");
    if (recordLength < 2) {
      throw area.failure(name + " RecordLength " + recordLength + " is shorter than itself");
    }
    ByteCursor record = area.window(recordLength - 2, name + " (RecordLength " + recordLength + ")");
    int descriptorCount = record.u8(name + " DescriptorCount");
    if (descriptorCount == 0) {
      throw record.failure(name + " has no descriptor");
    }
    long flags = record.u32(name + " update option flags");
    int versionType = record.u8(name + " version string type");
    int versionLength = record.u8(name + " version string length");
    int packageDataLength = record.u16(name + " package data length");
    long manifestLength =
        revision.hasReferenceManifestAndPayloadChecksum()
            ? record.u32(name + " ReferenceManifestLength")
            : 0;
    List<Integer> applicable = readBitmap(record.bytes(bitmapBits / 8L, name + " ApplicableComponents"));
    PldmString version;
    long stamp = ComponentImage.NO_COMPARISON_STAMP;
    if (downstream) {
      version = string(record, versionType, versionLength, name + " self-contained activation min version", false);
      if ((flags & 1) != 0) {
        stamp = record.u32(name + " SelfContainedActivationMinVersionComparisonStamp");
      }
    } else {
      version = string(record, versionType, versionLength, name + " ComponentImageSetVersionString", true);
    }
    long trailing = (long) packageDataLength + manifestLength;
    if (trailing > record.remaining()) {
      throw record.failure(
          String.format(
              "%s package data (%d bytes) and reference manifest (%d bytes) do not fit its %d"
                  + " remaining bytes",
              name, packageDataLength, manifestLength, record.remaining()));
    }
    ByteCursor descriptorArea = record.window(record.remaining() - trailing, name + " descriptors");
    List<Descriptor> descriptors = new ArrayList<>();
    for (int i = 0; i < descriptorCount; i++) {
      descriptors.add(readDescriptor(descriptorArea, name + " descriptor " + i));
    }
    descriptorArea.requireConsumed(name + "'s descriptor area (DescriptorCount " + descriptorCount + ")");
    byte[] packageData = record.bytes(packageDataLength, name + " package data");
    byte[] manifest = record.bytes(manifestLength, name + " ReferenceManifestData");
    record.requireConsumed(name);
    return new RecordFields(name, flags, version, stamp, descriptors, applicable, packageData, manifest);
  }

  private static Descriptor readDescriptor(ByteCursor in, String name) throws PackageFormatException {
    int type = in.u16(name + " type");
    int length = in.u16(name + " length");
    byte[] data = in.bytes(length, name + " data");
    String problem = Descriptor.problem(type, data);
    if (problem != null) {
      throw in.failure(name + ": " + problem);
    }
    return new Descriptor(type, data);
  }

  private static ComponentImage readComponent(
      ByteCursor header, ByteCursor file, PldmFormatRevision revision, int headerSize, String name)
      throws PackageFormatException {
    int classification = header.u16(name + " ComponentClassification");
    int identifier = header.u16(name + " ComponentIdentifier");
    long stamp = header.u32(name + " ComponentComparisonStamp");
    int options = header.u16(name + " ComponentOptions");
    int activation = header.u16(name + " RequestedComponentActivationMethod");
    long offset = header.u32(name + " ComponentLocationOffset");
    long size = header.u32(name + " ComponentSize");
    PldmString version = requiredString(header, name + " ComponentVersionString");
    byte[] opaque = new byte[0];
    if (revision.hasComponentOpaqueData()) {
      long opaqueLength = header.u32(name + " ComponentOpaqueDataLength");
      opaque = header.bytes(opaqueLength, name + " ComponentOpaqueData");
    }
    if (offset < headerSize) {
      throw header.failure(
          String.format(
              "%s ComponentLocationOffset 0x%x lies inside the %d-byte package header",
              name, offset, headerSize));
    }
    byte[] image = file.at(offset, size, name + " image").bytes(size, name + " image");
    return new ComponentImage(classification, identifier, stamp, options, activation, version, opaque, image);
  }

  private static PldmString requiredString(ByteCursor in, String field) throws PackageFormatException {
    int type = in.u8(field + " type");
    int length = in.u8(field + " length");
    return string(in, type, length, field, true);
  }

  private static PldmString string(ByteCursor in, int type, int length, String field, boolean required)
      throws PackageFormatException {
    if (required && length == 0) {
      throw in.failure(field + " is empty; DSP0267 requires one");
    }
    if ((required || length > 0) && (type < PldmString.ASCII || type > PldmString.UTF_16BE)) {
      throw in.failure(field + " has string type " + type + ", which DSP0267 does not define");
    }
    if (type > PldmString.UTF_16BE) {
      throw in.failure(field + " has string type " + type + ", which DSP0267 does not define");
    }
    return new PldmString(type, in.bytes(length, field));
  }

  private static List<Integer> readBitmap(byte[] bitmap) {
    List<Integer> indexes = new ArrayList<>();
    for (int i = 0; i < bitmap.length * 8; i++) {
      if ((bitmap[i / 8] >> (i % 8) & 1) != 0) {
        indexes.add(i);
      }
    }
    return indexes;
  }

  private static long storedU32(byte[] bytes, int offset) {
    return (bytes[offset] & 0xffL)
        | (bytes[offset + 1] & 0xffL) << 8
        | (bytes[offset + 2] & 0xffL) << 16
        | (bytes[offset + 3] & 0xffL) << 24;
  }

  static long crc32(byte[] bytes, int offset, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, offset, length);
    return crc.getValue();
  }
}
