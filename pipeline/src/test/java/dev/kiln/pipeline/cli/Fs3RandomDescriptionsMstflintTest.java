package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.inspector.ImageFormat;
import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.build.ReservedSection;
import dev.kiln.inspector.build.SectionSpec;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ReleaseDate;
import dev.kiln.inspector.section.UidEntry;
import dev.kiln.testkit.Mstflint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * FS3 (ConnectX-4, ConnectX-4 Lx) images from seeded random descriptions against mstflint: each
 * must pass {@code mstflint verify} and {@code kiln verify}; {@code query full} must print what
 * {@code kiln inspect --json} and the text output report ({@link
 * InspectMstflintTest#assertAgreement}, {@link RandomDescriptionsMstflintTest#assertTextLinesAgree});
 * and {@code verify showitoc} must list, entry by entry, the type, address, size and FS3 bits
 * (relative_addr, device_data, no_crc) of {@code kiln inspect --json}'s sections. A failure names
 * the case's seed.
 */
class Fs3RandomDescriptionsMstflintTest {
  private static final Mstflint MSTFLINT = Mstflint.require();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CASES = 8;
  private static final long FIRST_SEED = 20261204L;
  private static final Pattern DUMP = Pattern.compile(
      "size\\s+: (0x\\p{XDigit}+)\\s+type\\s+: (0x\\p{XDigit}+).*?flash_addr\\s+: "
          + "(0x\\p{XDigit}+)\\s+relative_addr\\s+: (0x\\p{XDigit}+).*?no_crc\\s+: "
          + "(0x\\p{XDigit}+)\\s+device_data\\s+: (0x\\p{XDigit}+)",
      Pattern.DOTALL);

  @TempDir Path dir;

  static Stream<Long> seeds() {
    return IntStream.range(0, CASES).mapToObj(i -> FIRST_SEED + i);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomFs3DescriptionsAgreeWithMstflint(long seed) throws Exception {
    Path image = dir.resolve("fs3-" + seed + ".bin");
    ImageWriter.write(description(new Random(seed)), image, true);
    JsonNode json = InspectMstflintTest.assertAgreement(image);
    assertEquals("FS3", json.get("format").asText());
    RandomDescriptionsMstflintTest.assertTextLinesAgree(image);
    assertShowItocAgrees(image, json);
  }

  /** Every entry of {@code verify showitoc}, in order, is the matching kiln section. */
  static void assertShowItocAgrees(Path image, JsonNode json) throws Exception {
    Mstflint.Result showItoc = MSTFLINT.run(60, List.of("-i", image.toString(), "verify",
        "showitoc"));
    assertEquals(0, showItoc.exitCode(), showItoc.output());
    List<JsonNode> sections = new ArrayList<>();
    json.get("sections").forEach(sections::add);
    Matcher matcher = DUMP.matcher(showItoc.stdout());
    int index = 0;
    while (matcher.find()) {
      JsonNode section = sections.get(index++);
      String at = "entry " + (index - 1) + ": " + section;
      assertEquals(section.get("size").asLong(), Long.decode(matcher.group(1)) * 4, at);
      assertEquals(section.get("type").asInt(), Integer.decode(matcher.group(2)), at);
      long address = section.has("address") ? section.get("address").asLong()
          : section.get("offset").asLong();
      assertEquals(address, Long.decode(matcher.group(3)) * 4, at);
      assertEquals(section.get("relativeAddr").asBoolean(), Integer.decode(matcher.group(4)) == 1,
          at);
      assertEquals(section.get("noCrc").asBoolean(), Integer.decode(matcher.group(5)) == 1, at);
      assertEquals(section.get("deviceData").asBoolean(), Integer.decode(matcher.group(6)) == 1,
          at);
    }
    assertEquals(sections.size(), index, showItoc.stdout());
    assertTrue(index > 2, showItoc.stdout());
  }

  /** A random FS3 description: what a ConnectX-4 / 4 Lx image can hold. */
  static ImageDescription description(Random random) {
    return descriptionBuilder(random).build();
  }

  /** The builder of {@link #description}, for tests that change a few settings. */
  static ImageDescription.Builder descriptionBuilder(Random random) {
    DeviceType device = random.nextBoolean() ? DeviceType.CX4 : DeviceType.CX4LX;
    long[] sizes = RandomDescriptionsMstflintTest.SIZES_KIB;
    long size = sizes[random.nextInt(sizes.length)] * 1024;
    String text = RandomDescriptionsMstflintTest.TEXT;
    ImageDescription.Builder builder =
        ImageDescription.builder(device, new FwVersion(
                random.nextInt(0x10000), random.nextInt(0x10000), random.nextInt(0x10000)))
            .format(ImageFormat.FS3)
            .imageSize(size)
            .releaseDate(ReleaseDate.parse(String.format("%d-%02d-%02d",
                2000 + random.nextInt(100), 1 + random.nextInt(12), 1 + random.nextInt(28))))
            .psid(RandomDescriptionsMstflintTest.text(random, 16,
                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"))
            .partNumber(RandomDescriptionsMstflintTest.text(random, 64, text))
            .description(RandomDescriptionsMstflintTest.text(random, 256, text))
            .productVersion(RandomDescriptionsMstflintTest.text(random, 16, text))
            .prsName(RandomDescriptionsMstflintTest.text(random, 128, text))
            .vsd(RandomDescriptionsMstflintTest.text(random, 208, text))
            .deviceVsd(RandomDescriptionsMstflintTest.text(random, 208, text))
            .flags(RandomDescriptionsMstflintTest.someFlags(random))
            .guids(new UidEntry(random.nextLong(), random.nextInt(0x100), 1))
            .macs(UidEntry.mac(random.nextLong() >>> 16, random.nextInt(0x100)));
    // At least one code section, so that every image has more than its 3 own sections.
    long budget = Math.max(size / 2 - 0x20000, 0x400);
    SectionType[] types = RandomDescriptionsMstflintTest.CODE_TYPES;
    for (int i = 0, n = 1 + random.nextInt(5); i < n && budget >= 0x100; i++) {
      long sectionSize = 4L * (1 + random.nextInt((int) Math.min(budget / 4, 0x40000)));
      budget -= sectionSize + 0x80;
      SectionType type = types[random.nextInt(types.length)];
      builder.section(random.nextBoolean()
          ? SectionSpec.random(type, sectionSize, random.nextInt(1000))
          : SectionSpec.filled(type, sectionSize, random.nextInt(256)));
    }
    List<ReservedSection> reserve = new ArrayList<>(Arrays.stream(ReservedSection.values())
        .filter(ReservedSection::inFs3).toList());
    Collections.shuffle(reserve, random);
    builder.reserve(reserve.subList(0, random.nextInt(reserve.size() + 1))
        .toArray(ReservedSection[]::new));
    return builder;
  }
}
