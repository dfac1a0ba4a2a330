package dev.kiln.inspector.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.ImageVerifier;
import dev.kiln.inspector.VerificationResult;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ImageInfoFlag;
import dev.kiln.inspector.section.ReleaseDate;
import dev.kiln.inspector.section.UidEntry;
import dev.kiln.testkit.Mstflint;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Images written by {@link ImageWriter} across devices, sizes and options pass the real {@code
 * mstflint -i IMG verify}, and {@code mstflint -i IMG query full} prints exactly the facts the
 * description put in. Kiln's own verifier must agree that the image is clean.
 */
class ImageWriterMstflintTest {
  private static final Mstflint MSTFLINT = Mstflint.require();

  @TempDir Path dir;

  /** One row of the matrix, with the Security Attributes text mstflint must print. */
  record Case(String name, ImageDescription description, String securityAttributes) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    String longDescription = "ConnectX-6 Lx EN adapter card; 25GbE; dual-port SFP28; PCIe 3.0/4.0 "
        + "x8; crypto disabled; secure boot enabled; tall bracket - a description long enough to "
        + "fill every one of the two hundred and fifty-six characters of IMAGE_INFO.description "
        + "field.....";
    longDescription = (longDescription + "x".repeat(256)).substring(0, 256);
    return Stream.of(
        new Case("cx5 48KiB minimal",
            base(DeviceType.CX5, "16.35.2000", 48 * 1024).build(), "N/A"),
        new Case("cx6 1MiB secure-fw 2048",
            base(DeviceType.CX6, "20.39.1002", 1 << 20)
                .flag(ImageInfoFlag.SECURE_FW, true)
                .reserve(ReservedSection.IMAGE_SIGNATURE_256, ReservedSection.PUBLIC_KEYS_2048)
                .build(),
            "secure-fw"),
        new Case("cx6dx 1MiB signed-fw debug all sections",
            base(DeviceType.CX6DX, "22.41.1000", 1 << 20)
                .flag(ImageInfoFlag.SIGNED_FW, true)
                .flag(ImageInfoFlag.DEBUG_FW, true)
                .reserve(ReservedSection.values())
                .build(),
            "signed-fw, debug"),
        new Case("cx6dx 48KiB signature and keys",
            base(DeviceType.CX6DX, "22.0100.0007", 48 * 1024)
                .flag(ImageInfoFlag.SECURE_FW, true)
                .reserve(ReservedSection.IMAGE_SIGNATURE_256, ReservedSection.PUBLIC_KEYS_2048,
                    ReservedSection.FORBIDDEN_VERSIONS)
                .build(),
            "secure-fw"),
        new Case("cx6dx 1MiB no mcc_en",
            base(DeviceType.CX6DX, "22.39.1002", 1 << 20)
                .flag(ImageInfoFlag.MCC_EN, false)
                .flag(ImageInfoFlag.SECURE_FW, true)
                .reserve(ReservedSection.IMAGE_SIGNATURE_256, ReservedSection.PUBLIC_KEYS_2048)
                .build(),
            "N/A"),
        new Case("cx6lx 16MiB long strings 4096",
            base(DeviceType.CX6LX, "26.40.1000", 16 << 20)
                .description(longDescription)
                .partNumber(("MCX631102AN-ADA_Ax_" + "P".repeat(64)).substring(0, 64))
                .prsName("p".repeat(128))
                .vsd("vendor specific data " + "v".repeat(150))
                .productVersion("rel-26_40_1000XY")
                .flag(ImageInfoFlag.SECURE_FW, true)
                .flag(ImageInfoFlag.DEBUG_FW, true)
                .reserve(ReservedSection.IMAGE_SIGNATURE_256, ReservedSection.IMAGE_SIGNATURE_512,
                    ReservedSection.PUBLIC_KEYS_4096)
                .section(SectionSpec.random(SectionType.MAIN_CODE, 2 << 20, 42))
                .build(),
            "secure-fw, debug"),
        new Case("cx7 1MiB hashes table",
            base(DeviceType.CX7, "28.39.1002", 1 << 20)
                .hashesTable(true)
                .flag(ImageInfoFlag.SECURE_FW, true)
                .reserve(ReservedSection.values())
                .build(),
            "secure-fw"),
        new Case("cx7 64MiB hashes table big section",
            base(DeviceType.CX7, "28.41.1000", 64 << 20)
                .hashesTable(true)
                .flag(ImageInfoFlag.SIGNED_FW, true)
                .reserve(ReservedSection.IMAGE_SIGNATURE_256, ReservedSection.IMAGE_SIGNATURE_512,
                    ReservedSection.PUBLIC_KEYS_2048, ReservedSection.PUBLIC_KEYS_4096)
                .section(SectionSpec.random(SectionType.MAIN_CODE, 8 << 20, 7))
                .build(),
            "signed-fw"));
  }

  /** A description with every printed string set and three ordinary code sections. */
  static ImageDescription.Builder base(DeviceType device, String version, long size) {
    return ImageDescription.builder(device, FwVersion.parse(version))
        .imageSize(size)
        .releaseDate(ReleaseDate.parse("2024-03-15"))
        .psid("MT_" + device.cliName().toUpperCase() + "0042")
        .partNumber("MCX-" + device.cliName() + "-TEST")
        .description(device.displayName() + " test image built by kiln")
        .productVersion(version)
        .prsName(device.cliName() + ".prs")
        .securityVersion(device.ordinal() + 3)
        .guids(new UidEntry(0x0c42a10300aa0000L + device.ordinal(), 8, 1))
        .macs(UidEntry.mac(0x0c42a1aa0000L + device.ordinal(), 8))
        .section(SectionSpec.random(SectionType.HW_BOOT_CFG, 0x200, 1))
        .section(SectionSpec.random(SectionType.PCIE_LINK_CODE, 0x400, 2))
        .section(SectionSpec.filled(SectionType.MAIN_CODE, 0x1000, 0x5A));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void mstflintAcceptsAndPrintsWhatWasDescribed(Case c) throws Exception {
    ImageDescription d = c.description();
    Path image = dir.resolve("image.bin");
    ImageWriter.write(d, image, false);

    Mstflint.Result verify = MSTFLINT.verify(image);
    assertEquals(0, verify.exitCode(), verify.output());
    assertTrue(verify.stdout().contains("FW image verification succeeded"), verify.output());

    Mstflint.Result query = MSTFLINT.queryFull(image);
    assertEquals(0, query.exitCode(), query.output());
    assertEquals(d.fwVersion().toString(), query.field("FW Version"));
    assertEquals(d.releaseDate().toString(), query.field("FW Release Date"));
    assertEquals("15.3.2024", query.field("FW Release Date"));
    assertEquals(d.psid(), query.field("PSID"));
    assertEquals(d.partNumber(), query.field("Part Number"));
    assertEquals(d.description().trim(), query.field("Description"));
    assertEquals(d.productVersion(), query.field("Product Version"));
    // mstflint keeps only the first 96 characters of the 128-byte PRS name field.
    String prs = d.prsName().substring(0, Math.min(d.prsName().length(),
        dev.kiln.inspector.section.ImageInfo.MSTFLINT_PRS_NAME_LENGTH));
    assertEquals(prs, query.field("PRS Name"));
    assertEquals(c.securityAttributes(), query.field("Security Attributes"));
    assertEquals(Long.toString(d.securityVersion()), query.field("Security Ver"));
    // fw_ctrl needs mcc_en and, like the attributes, a signature and a public-keys section.
    boolean secured = d.has(ImageInfoFlag.MCC_EN)
        && (d.reserves(ReservedSection.IMAGE_SIGNATURE_256)
            || d.reserves(ReservedSection.IMAGE_SIGNATURE_512))
        && (d.reserves(ReservedSection.PUBLIC_KEYS_2048)
            || d.reserves(ReservedSection.PUBLIC_KEYS_4096));
    assertEquals(secured ? "fw_ctrl" : "Legacy", query.field("Default Update Method"));
    assertEquals(d.guids().uidHex() + " " + d.guids().count(),
        query.field("Base GUID").replaceAll("\\s+", " "));
    assertEquals(d.macs().macHex() + " " + d.macs().count(),
        query.field("Base MAC").replaceAll("\\s+", " "));
    assertEquals(d.vsd().isEmpty() ? "N/A" : d.vsd(), query.field("Image VSD"));

    Fs4Image parsed = ImageParser.parse(image);
    VerificationResult result = ImageVerifier.verify(parsed);
    assertTrue(result.errors().isEmpty(), () -> "kiln findings: " + result.errors());
    assertEquals(d.hashesTable(), parsed.hashesTable().isPresent());
    assertEquals(d.securityVersion(), parsed.securityVersion());
  }

  /** The ITOC holds exactly the described sections after IMAGE_INFO, then the reserved ones. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void sectionListMatchesTheDescription(Case c) throws Exception {
    ImageDescription d = c.description();
    Path image = dir.resolve("image.bin");
    ImageLayout layout = ImageWriter.write(d, image, false);
    List<String> expected = new java.util.ArrayList<>();
    expected.add("IMAGE_INFO");
    d.sections().forEach(s -> expected.add(s.typeName()));
    Set<ReservedSection> reserved = d.reserved().isEmpty()
        ? Set.of() : EnumSet.copyOf(d.reserved());
    reserved.forEach(r -> expected.add(r.sectionType().printedName()));
    Fs4Image parsed = ImageParser.parse(image);
    List<String> actual = parsed.itoc().orElseThrow().sections().stream()
        .map(s -> s.name()).toList();
    assertEquals(expected, actual);
    assertEquals(layout.sectionsOf(dev.kiln.inspector.format.TocHeader.Kind.ITOC).size(),
        actual.size());
  }
}
