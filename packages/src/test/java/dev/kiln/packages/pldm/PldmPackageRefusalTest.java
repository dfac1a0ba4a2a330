package dev.kiln.packages.pldm;

import dev.kiln.registers.pldm.PldmString;
import dev.kiln.registers.pldm.Descriptor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.packages.PackageFormatException;
import java.time.Instant;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Packages the reader must refuse, each with one line saying why. */
class PldmPackageRefusalTest {

  static PldmPackage sample(PldmFormatRevision revision) {
    byte[] image = new byte[300];
    for (int i = 0; i < image.length; i++) {
      image[i] = (byte) (i * 7);
    }
    return new PldmPackage(
        revision,
        Timestamp104.of(Instant.parse("2026-01-02T03:04:05Z")),
        8,
        PldmString.ascii("kiln-test-1"),
        List.of(
            FirmwareDeviceRecord.of(
                "22.41.1000",
                List.of(
                    Descriptor.pciVendorId(0x15b3),
                    Descriptor.pciDeviceId(0x101d),
                    Descriptor.psid("MT_0000000359")),
                List.of(0))),
        List.of(),
        List.of(
            new ComponentImage(
                ComponentImage.CLASSIFICATION_SOFTWARE_BUNDLE, 1, ComponentImage.NO_COMPARISON_STAMP,
                ComponentImage.OPTION_FORCE_UPDATE, 0, PldmString.ascii("22.41.1000"), new byte[0],
                image)));
  }

  @ParameterizedTest
  @EnumSource(PldmFormatRevision.class)
  void everyRevisionRoundTrips(PldmFormatRevision revision) throws Exception {
    PldmPackage pkg = sample(revision);
    assertEquals(pkg, PldmPackageReader.read(PldmPackageWriter.toBytes(pkg), "x.fwpkg"));
  }

  @Test
  void aDownstreamRecordWithAComparisonStampRoundTrips() throws Exception {
    PldmPackage base = sample(PldmFormatRevision.V1_3);
    PldmPackage pkg =
        new PldmPackage(
            base.revision(), base.releaseTime(), 8, base.packageVersion(), base.deviceRecords(),
            List.of(
                new DownstreamDeviceRecord(
                    1, PldmString.ascii("1.0"), 0x1234, List.of(Descriptor.pciVendorId(0x1234)),
                    List.of(0), new byte[] {1, 2}, new byte[] {3})),
            base.components());
    assertEquals(pkg, PldmPackageReader.read(PldmPackageWriter.toBytes(pkg), "x.fwpkg"));
  }

  @Test
  void aHeaderByteChangedIsABadHeaderChecksum() {
    byte[] bytes = PldmPackageWriter.toBytes(sample(PldmFormatRevision.V1_0));
    bytes[40] ^= 1;
    PackageFormatException e =
        assertThrows(PackageFormatException.class, () -> PldmPackageReader.read(bytes, "x.fwpkg"));
    assertEquals(
        "x.fwpkg: PackageHeaderChecksum 0x"
            + String.format("%08x", storedChecksum(bytes))
            + " at offset 0x"
            + Integer.toHexString(headerSize(bytes) - 4)
            + " does not match the header's CRC-32 0x"
            + String.format("%08x", crc(bytes, 0, headerSize(bytes) - 4)),
        e.getMessage());
  }

  @Test
  void aPayloadByteChangedIsABadPayloadChecksumIn13() {
    byte[] bytes = PldmPackageWriter.toBytes(sample(PldmFormatRevision.V1_3));
    bytes[bytes.length - 1] ^= 1;
    PackageFormatException e =
        assertThrows(PackageFormatException.class, () -> PldmPackageReader.read(bytes, "x.fwpkg"));
    assertEquals(
        "x.fwpkg: PldmFwPackagePayloadChecksum 0x"
            + String.format(
                "%08x", crc(PldmPackageWriter.toBytes(sample(PldmFormatRevision.V1_3)),
                    headerSize(bytes), bytes.length - headerSize(bytes)))
            + " does not match the payload's CRC-32 0x"
            + String.format("%08x", crc(bytes, headerSize(bytes), bytes.length - headerSize(bytes)))
            + " (300 bytes after the header)",
        e.getMessage());
  }

  @Test
  void anUnknownIdentifierIsRefused() {
    byte[] bytes = PldmPackageWriter.toBytes(sample(PldmFormatRevision.V1_0));
    bytes[0] = 0;
    PackageFormatException e =
        assertThrows(PackageFormatException.class, () -> PldmPackageReader.read(bytes, "x.fwpkg"));
    assertEquals(
        "x.fwpkg: not a DSP0267 package: unknown PackageHeaderIdentifier"
            + " 0018878ccb7d49439800a02f059aca02",
        e.getMessage());
  }

  @Test
  void aRevisionThatIsNotTheIdentifiersIsRefused() {
    byte[] bytes = PldmPackageWriter.toBytes(sample(PldmFormatRevision.V1_0));
    bytes[16] = 4;
    PackageFormatException e =
        assertThrows(PackageFormatException.class, () -> PldmPackageReader.read(bytes, "x.fwpkg"));
    assertEquals(
        "x.fwpkg: PackageHeaderFormatRevision 4 does not match the DSP0267 1.0 identifier (1)",
        e.getMessage());
  }

  @Test
  void aHeaderSizeBeyondTheFileIsRefused() {
    byte[] bytes = PldmPackageWriter.toBytes(sample(PldmFormatRevision.V1_0));
    bytes[17] = (byte) 0xff;
    bytes[18] = (byte) 0xff;
    PackageFormatException e =
        assertThrows(PackageFormatException.class, () -> PldmPackageReader.read(bytes, "x.fwpkg"));
    assertEquals(
        "x.fwpkg: PackageHeaderSize 65535 is impossible for a "
            + bytes.length
            + "-byte DSP0267 1.0 package",
        e.getMessage());
  }

  @Test
  void aTruncatedFileIsRefusedBeforeAnyAllocation() {
    byte[] bytes = java.util.Arrays.copyOf(PldmPackageWriter.toBytes(sample(PldmFormatRevision.V1_0)), 10);
    PackageFormatException e =
        assertThrows(PackageFormatException.class, () -> PldmPackageReader.read(bytes, "x.fwpkg"));
    assertEquals(
        "x.fwpkg: PackageHeaderIdentifier needs 16 bytes at offset 0x0, only 10 left",
        e.getMessage());
  }

  @Test
  void aRecordLengthPastTheHeaderIsRefused() {
    byte[] bytes = PldmPackageWriter.toBytes(sample(PldmFormatRevision.V1_0));
    int recordAt = 36 + "kiln-test-1".length() + 1;
    bytes[recordAt] = (byte) 0xf0;
    bytes[recordAt + 1] = 0x10;
    resealHeader(bytes);
    PackageFormatException e =
        assertThrows(PackageFormatException.class, () -> PldmPackageReader.read(bytes, "x.fwpkg"));
    assertEquals(
        "x.fwpkg: firmware device record 0 (RecordLength 4336) needs 4334 bytes at offset 0x32,"
            + " only "
            + (headerSize(bytes) - 4 - 0x32)
            + " left",
        e.getMessage());
  }

  @Test
  void aComponentBeyondTheFileIsRefused() {
    byte[] bytes = PldmPackageWriter.toBytes(sample(PldmFormatRevision.V1_0));
    int sizeField = headerSize(bytes) - 4 - 1 - "22.41.1000".length() - 1 - 4;
    bytes[sizeField + 1] = 0x10; // 0x012c becomes 0x102c
    resealHeader(bytes);
    PackageFormatException e =
        assertThrows(PackageFormatException.class, () -> PldmPackageReader.read(bytes, "x.fwpkg"));
    assertEquals(
        "x.fwpkg: component 0 image at offset "
            + headerSize(bytes)
            + ", 4140 bytes, lies outside the "
            + bytes.length
            + "-byte file",
        e.getMessage());
  }

  @Test
  void aStandardDescriptorOfTheWrongLengthIsRefused() {
    assertEquals(
        "descriptor type 0x0100 (PCI device id) has 3 data bytes, the type needs 2",
        assertThrows(
                IllegalArgumentException.class,
                () -> new Descriptor(Descriptor.PCI_DEVICE_ID, new byte[3]))
            .getMessage());
  }

  private static void resealHeader(byte[] bytes) {
    int at = headerSize(bytes) - 4;
    long crc = crc(bytes, 0, at);
    for (int i = 0; i < 4; i++) {
      bytes[at + i] = (byte) (crc >>> (8 * i));
    }
  }

  private static int headerSize(byte[] bytes) {
    return (bytes[17] & 0xff) | (bytes[18] & 0xff) << 8;
  }

  private static long storedChecksum(byte[] bytes) {
    int at = headerSize(bytes) - 4;
    long value = 0;
    for (int i = 0; i < 4; i++) {
      value |= (bytes[at + i] & 0xffL) << (8 * i);
    }
    return value;
  }

  private static long crc(byte[] bytes, int offset, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, offset, length);
    return crc.getValue();
  }
}
