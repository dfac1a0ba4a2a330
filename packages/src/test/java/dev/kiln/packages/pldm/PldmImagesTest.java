package dev.kiln.packages.pldm;

import dev.kiln.registers.pldm.Descriptor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.inspector.ImageParser;
import dev.kiln.testkit.SharedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The package kiln makes of an image is the one OpenBMC's creator made from the fixture metadata. */
class PldmImagesTest {

  @ParameterizedTest
  @CsvSource({"V1_0, cx6dx-psid-nul.fwpkg", "V1_3, v1.3-proper.fwpkg"})
  void kilnsPackageOfTheImageIsTheCreatorsPackage(PldmFormatRevision revision, String made)
      throws Exception {
    Path fixture = SharedFixtures.directory("pldm");
    PldmPackage pkg =
        PldmImages.packageFor(
            revision,
            "cx6dx-psid-22.39.1002",
            Instant.parse("2024-01-01T00:00:00Z"),
            List.of(ImageParser.parse(fixture.resolve("component-a.bin"))));
    assertEquals(
        List.of(Descriptor.pciVendorId(0x15b3), Descriptor.pciDeviceId(0x101d), Descriptor.psid("MT_0000000359")),
        pkg.deviceRecords().get(0).descriptors(),
        "vendor id, device id (not last), NUL-terminated PSID");
    assertArrayEquals(Files.readAllBytes(fixture.resolve(made)), PldmPackageWriter.toBytes(pkg));
  }
}
