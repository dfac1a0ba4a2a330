package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.build.ReservedSection;
import dev.kiln.inspector.build.SectionSpec;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ImageInfoFlag;
import dev.kiln.inspector.section.ReleaseDate;
import dev.kiln.inspector.section.UidEntry;
import dev.kiln.testkit.Mstflint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The writer against mstflint on seeded random descriptions: every device, sizes from 48 KiB to
 * 16 MiB, any FW version and release date, strings up to their limits, any set of IMAGE_INFO flags,
 * GUIDs and MACs, random code sections and reserved security sections, hashes tables where the chip
 * has them. Each image must pass {@code mstflint verify}, and {@code query full} must print what
 * {@code kiln inspect --json} reports ({@link InspectMstflintTest#assertAgreement}). The fixed
 * matrix in InspectMstflintTest names the cases; this covers the combinations between them. A
 * failure names the case's seed, so it can be rebuilt alone.
 */
class RandomDescriptionsMstflintTest {
  private static final Mstflint MSTFLINT = Mstflint.require();
  private static final int CASES = 16;
  private static final long FIRST_SEED = 20261125L;
  static final long[] SIZES_KIB = {48, 64, 128, 256, 512, 1024, 2048, 4096, 16384};
  static final SectionType[] CODE_TYPES = {
    SectionType.MAIN_CODE, SectionType.HW_BOOT_CFG, SectionType.PCIE_LINK_CODE,
    SectionType.DBG_FW_INI, SectionType.PCI_CODE, SectionType.HW_MAIN_CFG, SectionType.FW_MAIN_CFG,
    SectionType.FW_BOOT_CFG, SectionType.PHY_UC_CODE, SectionType.ROM_CODE, SectionType.RESET_INFO
  };
  /** Printable characters that survive mstflint's output as they are. */
  static final String TEXT =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 _-.;,()/";

  @TempDir Path dir;

  static Stream<Long> seeds() {
    return IntStream.range(0, CASES).mapToObj(i -> FIRST_SEED + i);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomDescriptionsAgreeWithMstflint(long seed) throws Exception {
    Path image = dir.resolve("random-" + seed + ".bin");
    ImageWriter.write(description(new Random(seed)), image, true);
    InspectMstflintTest.assertAgreement(image);
    assertTextLinesAgree(image);
  }

  /**
   * {@code kiln inspect}'s text shows the IMAGE_INFO strings and the GUID/MAC block on the lines
   * {@code query full} uses, and leaves a line out exactly when mstflint does (an empty string).
   */
  static void assertTextLinesAgree(Path image) {
    Mstflint.Result query = MSTFLINT.queryFull(image);
    VerifyCommandTest.Run kiln = VerifyCommandTest.kiln("inspect", image.toString());
    Mstflint.Result kilnText = new Mstflint.Result(kiln.exitCode(), kiln.out(), kiln.err());
    for (String name : List.of("Part Number", "Product Version")) {
      assertEquals(query.field(name), kilnText.field(name), name);
    }
    // The GUID/MAC block, spacing and N/A included (the counts here stay below 256).
    for (String prefix : List.of("Base GUID:", "Base MAC:", "Orig Base GUID:", "Orig Base MAC:")) {
      assertEquals(firstLineStarting(query.stdout(), prefix),
          firstLineStarting(kilnText.stdout(), prefix), prefix);
    }
    // mstflint prints at most 96 characters of the 128-character PRS name; kiln prints it whole.
    String prsName = kilnText.field("PRS Name");
    assertEquals(query.field("PRS Name"),
        prsName == null ? null : prsName.substring(0, Math.min(96, prsName.length())).strip());
    // The image description is the first "Description:" line, before the GUID table's header.
    assertEquals(firstLineStarting(query.stdout(), "Description:"),
        firstLineStarting(kilnText.stdout(), "Description:"));
  }

  private static String firstLineStarting(String text, String prefix) {
    return text.lines()
        .filter(line -> line.startsWith(prefix) && !line.matches(".*UID\\s+GuidsNumber.*"))
        .findFirst()
        .orElse(null);
  }

  static ImageDescription description(Random random) {
    DeviceType device = DeviceType.values()[random.nextInt(DeviceType.values().length)];
    long size = SIZES_KIB[random.nextInt(SIZES_KIB.length)] * 1024;
    ImageDescription.Builder builder =
        ImageDescription.builder(device, new FwVersion(
                random.nextInt(0x10000), random.nextInt(0x10000), random.nextInt(0x10000)))
            .imageSize(size)
            .releaseDate(ReleaseDate.parse(String.format("%d-%02d-%02d",
                2000 + random.nextInt(100), 1 + random.nextInt(12), 1 + random.nextInt(28))))
            .psid(text(random, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"))
            .partNumber(text(random, 64, TEXT))
            .description(text(random, 256, TEXT))
            .productVersion(text(random, 16, TEXT))
            .prsName(text(random, 128, TEXT))
            .vsd(text(random, 208, TEXT))
            .securityVersion(random.nextBoolean() ? random.nextInt(4) : random.nextLong() >>> 32)
            .flags(someFlags(random))
            // Counts up to 255: above that the high byte goes to num_allocated_msb, which mstflint
            // reads only from 4.24 on; Debian's 4.21 prints the low byte (image-description.md).
            .guids(new UidEntry(random.nextLong(), random.nextInt(0x100), 1))
            .macs(UidEntry.mac(random.nextLong() >>> 16, random.nextInt(0x100)));
    if (device.supportsHashesTable()) {
      builder.hashesTable(random.nextBoolean());
    }
    // Code sections within half the file (the fail-safe slot), leaving room for the rest.
    long budget = size / 2 - 0x20000;
    for (int i = 0, n = random.nextInt(6); i < n && budget >= 0x100; i++) {
      long sectionSize = 4L * (1 + random.nextInt((int) Math.min(budget / 4, 0x40000)));
      budget -= sectionSize + 0x80;
      SectionType type = CODE_TYPES[random.nextInt(CODE_TYPES.length)];
      builder.section(random.nextBoolean()
          ? SectionSpec.random(type, sectionSize, random.nextInt(1000))
          : SectionSpec.filled(type, sectionSize, random.nextInt(256)));
    }
    List<ReservedSection> reserve = new ArrayList<>(List.of(
        ReservedSection.IMAGE_SIGNATURE_256, ReservedSection.IMAGE_SIGNATURE_512,
        ReservedSection.PUBLIC_KEYS_2048, ReservedSection.PUBLIC_KEYS_4096,
        ReservedSection.FORBIDDEN_VERSIONS));
    Collections.shuffle(reserve, random);
    builder.reserve(reserve.subList(0, random.nextInt(reserve.size() + 1))
        .toArray(ReservedSection[]::new));
    return builder.build();
  }

  /** Up to {@code max} characters, never starting or ending with a space. */
  static String text(Random random, int max, String alphabet) {
    char[] chars = new char[random.nextInt(max + 1)];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = alphabet.charAt(random.nextInt(alphabet.length()));
    }
    return new String(chars).strip();
  }

  static Set<ImageInfoFlag> someFlags(Random random) {
    Set<ImageInfoFlag> flags = EnumSet.noneOf(ImageInfoFlag.class);
    Arrays.stream(ImageInfoFlag.values()).filter(f -> random.nextBoolean()).forEach(flags::add);
    return flags;
  }
}
