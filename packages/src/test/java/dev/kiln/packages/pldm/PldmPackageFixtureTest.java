package dev.kiln.packages.pldm;

import dev.kiln.registers.pldm.Descriptor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testkit.SharedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our reader on the packages OpenBMC's creator made (fixture {@code pldm}), and our writer against
 * them: for the same metadata and component, the same bytes.
 */
class PldmPackageFixtureTest {

  @ParameterizedTest
  @CsvSource({"cx6dx-psid-nul.fwpkg, V1_0", "v1.3-proper.fwpkg, V1_3"})
  void readsTheCreatorsPackageWithItsMetadata(String file, PldmFormatRevision revision)
      throws Exception {
    PldmPackage pkg = PldmPackageReader.read(SharedFixtures.file("pldm", file));
    assertEquals(revision, pkg.revision());
    assertEquals("2024-01-01 00:00:00", pkg.releaseTime().toString());
    assertEquals("cx6dx-psid-22.39.1002", pkg.packageVersion().text());
    assertEquals(8, pkg.componentBitmapBitLength());
    assertEquals(1, pkg.deviceRecords().size());
    assertEquals(List.of(), pkg.downstreamRecords());
    FirmwareDeviceRecord record = pkg.deviceRecords().get(0);
    assertEquals(1, record.updateOptionFlags());
    assertEquals("22.39.1002", record.imageSetVersion().text());
    assertEquals(
        List.of(
            Descriptor.pciVendorId(0x15b3),
            Descriptor.pciDeviceId(0x101d),
            Descriptor.psid("MT_0000000359")),
        record.descriptors());
    assertEquals("PSID MT_0000000359", record.descriptors().get(2).describe());
    assertEquals("MT_0000000359", record.psid().orElseThrow());
    assertEquals(List.of(0), record.applicableComponents());
    ComponentImage component = pkg.components().get(0);
    assertEquals(13, component.classification());
    assertEquals(1, component.identifier());
    assertEquals(ComponentImage.NO_COMPARISON_STAMP, component.comparisonStamp());
    assertEquals(ComponentImage.OPTION_FORCE_UPDATE, component.options());
    assertEquals(0b111000, component.activationMethods());
    assertEquals("22.39.1002", component.version().text());
    assertArrayEquals(
        Files.readAllBytes(SharedFixtures.file("pldm", "component-a.bin")), component.image());
  }

  @ParameterizedTest
  @CsvSource({
    "cx6dx-psid-nul.metadata.json, cx6dx-psid-nul.fwpkg",
    "v1.3-proper.json, v1.3-proper.fwpkg"
  })
  void writesWhatTheCreatorWritesForTheSameMetadata(String metadata, String made)
      throws Exception {
    Path fixture = SharedFixtures.directory("pldm");
    PldmPackage pkg =
        CreatorMetadata.toPackage(
            fixture.resolve(metadata), List.of(Files.readAllBytes(fixture.resolve("component-a.bin"))));
    byte[] ours = PldmPackageWriter.toBytes(pkg);
    assertArrayEquals(Files.readAllBytes(fixture.resolve(made)), ours);
    assertEquals(pkg, PldmPackageReader.read(ours, "ours"));
  }

  @ParameterizedTest
  @CsvSource({"cx6dx-psid-nul.fwpkg", "v1.3-proper.fwpkg"})
  void picksTheRecordWhoseDescriptorsTheDeviceReportsAsOpenBmcDoes(String file) throws Exception {
    PldmPackage pkg = PldmPackageReader.read(SharedFixtures.file("pldm", file));
    Set<Descriptor> device =
        Set.of(
            Descriptor.pciVendorId(0x15b3),
            Descriptor.pciDeviceId(0x101d),
            new Descriptor(Descriptor.PCI_SUBSYSTEM_ID, new byte[] {0x16, 0x00}),
            Descriptor.psid("MT_0000000359"));
    assertTrue(pkg.recordFor(device).isPresent(), "a device reporting more descriptors matches");
    assertTrue(
        pkg.recordFor(Set.of(Descriptor.pciVendorId(0x15b3), Descriptor.pciDeviceId(0x101d)))
            .isEmpty(),
        "a device without the record's PSID does not match");
    assertTrue(
        pkg.recordFor(
                Set.of(
                    Descriptor.pciVendorId(0x15b3),
                    Descriptor.pciDeviceId(0x101d),
                    Descriptor.psid("MT_0000000999")))
            .isEmpty(),
        "another PSID does not match");
  }
}
