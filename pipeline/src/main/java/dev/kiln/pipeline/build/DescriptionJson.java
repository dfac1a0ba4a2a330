package dev.kiln.pipeline.build;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.InvalidDescriptionException;
import dev.kiln.inspector.build.ReservedSection;
import dev.kiln.inspector.build.SectionContent;
import dev.kiln.inspector.build.SectionSpec;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.io.BoundedFiles;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ImageInfoFlag;
import dev.kiln.inspector.section.ReleaseDate;
import dev.kiln.inspector.section.UidEntry;
import dev.kiln.pipeline.json.StrictJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the JSON image description of {@code kiln build} (documented in {@code
 * docs/image-description.md}) into an {@link ImageDescription}. Unknown keys are errors, so a typo
 * never silently falls back to a default; every message names the offending key.
 *
 * <p>Numbers may be JSON integers or strings: decimal, {@code 0x}-hex, or sizes with a {@code
 * KiB}/{@code MiB} suffix. Payload file names are relative to the description's directory.
 */
public final class DescriptionJson {
  private static final Set<String> TOP_LEVEL = Set.of("device", "fwVersion", "releaseDate", "psid",
      "partNumber", "description", "productVersion", "prsName", "vsd", "deviceVsd",
      "securityVersion", "flags", "guids", "macs", "imageSize", "log2SlotSize", "hashesTable",
      "boot2Dwords", "sections", "reserve", "publicKeyEntries", "forbiddenVersions",
      "forbiddenVersionsSize", "format", "$comment");
  private static final Set<String> SECTION_KEYS =
      Set.of("type", "file", "size", "fill", "seed", "$comment");
  private static final Set<String> UID_KEYS = Set.of("base", "count");

  private DescriptionJson() {}

  /**
   * Reads a description file.
   *
   * @throws IOException if the file cannot be read or is not JSON (one-line message)
   * @throws InvalidDescriptionException if the JSON does not describe an image
   */
  public static ImageDescription read(Path file) throws IOException, InvalidDescriptionException {
    String text =
        new String(
            BoundedFiles.read(file, StrictJson.MAX_DOCUMENT_BYTES, "an image description"),
            StandardCharsets.UTF_8);
    Path base = file.toAbsolutePath().getParent();
    return parse(text, base, file.toString());
  }

  /**
   * Parses description text; relative payload paths resolve against {@code baseDirectory}.
   *
   * @param source name of the input for messages
   */
  public static ImageDescription parse(String text, Path baseDirectory, String source)
      throws IOException, InvalidDescriptionException {
    JsonNode root = StrictJson.parse(text, source);
    if (!root.isObject()) {
      throw new IOException(source + ": a description is a JSON object");
    }
    return new Reader(baseDirectory).description(root);
  }

  /** Walks the tree; {@code path} strings name the key in messages. */
  private static final class Reader {
    private final Path base;

    Reader(Path base) {
      this.base = base;
    }

    ImageDescription description(JsonNode root) throws InvalidDescriptionException {
      checkKeys(root, TOP_LEVEL, "");
      DeviceType device = DeviceType.byCliName(requiredText(root, "device"))
          .orElseThrow(() -> invalid("device: '%s' is not one of %s",
              root.get("device").asText(), DeviceType.cliNames()));
      FwVersion version = parse("fwVersion", () -> FwVersion.parse(requiredText(root,
          "fwVersion")));
      ImageDescription.Builder builder = ImageDescription.builder(device, version);
      if (root.has("format")) {
        String format = text(root, "format");
        builder.format(switch (format.toLowerCase(java.util.Locale.ROOT)) {
          case "fs4" -> dev.kiln.inspector.ImageFormat.FS4;
          case "fs3" -> dev.kiln.inspector.ImageFormat.FS3;
          default -> throw invalid("format: '%s' is not fs4 or fs3", format);
        });
      }
      if (root.has("releaseDate")) {
        builder.releaseDate(parse("releaseDate",
            () -> ReleaseDate.parse(text(root, "releaseDate"))));
      }
      builder.psid(optionalText(root, "psid"))
          .partNumber(optionalText(root, "partNumber"))
          .description(optionalText(root, "description"))
          .productVersion(optionalText(root, "productVersion"))
          .prsName(optionalText(root, "prsName"))
          .vsd(optionalText(root, "vsd"))
          .deviceVsd(optionalText(root, "deviceVsd"));
      if (root.has("securityVersion")) {
        builder.securityVersion(number(root.get("securityVersion"), "securityVersion"));
      }
      if (root.has("flags")) {
        Set<ImageInfoFlag> flags = EnumSet.noneOf(ImageInfoFlag.class);
        for (JsonNode flag : array(root, "flags")) {
          String name = flag.asText();
          flags.add(ImageInfoFlag.byFieldName(name).orElseThrow(() -> invalid(
              "flags: '%s' is not an IMAGE_INFO flag (%s)", name, flagNames())));
        }
        builder.flags(flags);
      }
      if (root.has("guids")) {
        builder.guids(uid(root.get("guids"), "guids", false));
      }
      if (root.has("macs")) {
        builder.macs(uid(root.get("macs"), "macs", true));
      }
      if (root.has("imageSize")) {
        builder.imageSize(number(root.get("imageSize"), "imageSize"));
      }
      if (root.has("log2SlotSize")) {
        builder.log2SlotSize((int) number(root.get("log2SlotSize"), "log2SlotSize"));
      }
      if (root.has("hashesTable")) {
        builder.hashesTable(bool(root.get("hashesTable"), "hashesTable"));
      }
      if (root.has("boot2Dwords")) {
        builder.boot2Dwords(intNumber(root.get("boot2Dwords"), "boot2Dwords"));
      }
      if (root.has("sections")) {
        int index = 0;
        for (JsonNode section : array(root, "sections")) {
          builder.section(section(section, "sections[" + index++ + "]"));
        }
      }
      if (root.has("reserve")) {
        for (JsonNode name : array(root, "reserve")) {
          String wanted = name.asText().trim().toUpperCase(Locale.ROOT);
          ReservedSection reserved = null;
          for (ReservedSection candidate : ReservedSection.values()) {
            if (candidate.name().equals(wanted)) {
              reserved = candidate;
            }
          }
          if (reserved == null) {
            throw invalid("reserve: '%s' is not a reservable section (%s)", name.asText(),
                reservedNames());
          }
          builder.reserve(reserved);
        }
      }
      if (root.has("publicKeyEntries")) {
        builder.publicKeyEntries(intNumber(root.get("publicKeyEntries"), "publicKeyEntries"));
      }
      if (root.has("forbiddenVersions")) {
        List<ForbiddenVersions.Range> ranges = new ArrayList<>();
        for (JsonNode item : array(root, "forbiddenVersions")) {
          ranges.add(parse("forbiddenVersions", () -> range(item.asText())));
        }
        builder.forbiddenVersions(new ForbiddenVersions(ranges));
      }
      if (root.has("forbiddenVersionsSize")) {
        builder.forbiddenVersionsSize(
            intNumber(root.get("forbiddenVersionsSize"), "forbiddenVersionsSize"));
      }
      return builder.build();
    }

    private SectionSpec section(JsonNode node, String path) throws InvalidDescriptionException {
      if (!node.isObject()) {
        throw invalid("%s: a section is an object with \"type\" and \"file\" or \"size\"", path);
      }
      checkKeys(node, SECTION_KEYS, path + ".");
      int type = sectionType(requiredText(node, "type", path + ".type"), path + ".type");
      boolean hasFile = node.has("file");
      boolean hasSize = node.has("size");
      if (hasFile == hasSize) {
        throw invalid("%s: give either \"file\" or \"size\"", path);
      }
      if (hasFile) {
        if (node.has("fill") || node.has("seed")) {
          throw invalid("%s: \"fill\" and \"seed\" go with \"size\", not \"file\"", path);
        }
        Path file = base.resolve(requiredText(node, "file", path + ".file"));
        return new SectionSpec(type, new SectionContent.FromFile(file));
      }
      long size = number(node.get("size"), path + ".size");
      if (node.has("fill") && node.has("seed")) {
        throw invalid("%s: give \"fill\" or \"seed\", not both", path);
      }
      if (node.has("seed")) {
        return new SectionSpec(type,
            new SectionContent.Random(size, number(node.get("seed"), path + ".seed")));
      }
      int fill = node.has("fill") ? (int) number(node.get("fill"), path + ".fill") : 0xFF;
      return new SectionSpec(type, new SectionContent.Filled(size, fill));
    }

    private static int sectionType(String text, String path) throws InvalidDescriptionException {
      String name = text.trim();
      for (SectionType type : SectionType.values()) {
        if (type.name().equalsIgnoreCase(name)) {
          return type.code();
        }
      }
      try {
        long code = parseNumber(name);
        if (code >= 0 && code <= 0xFF) {
          return (int) code;
        }
      } catch (NumberFormatException e) {
        // fall through to the message below
      }
      throw invalid("%s: '%s' is neither a section type name (MAIN_CODE, ...) nor 0..0xFF",
          path, text);
    }

    private static UidEntry uid(JsonNode node, String path, boolean mac)
        throws InvalidDescriptionException {
      if (!node.isObject()) {
        throw invalid("%s: expected {\"base\": \"...\", \"count\": N}", path);
      }
      checkKeys(node, UID_KEYS, path + ".");
      long base = parse(path + ".base", () -> UidEntry.parseUid(requiredText(node, "base",
          path + ".base")));
      int count = node.has("count") ? intNumber(node.get("count"), path + ".count") : 1;
      return parse(path, () -> mac ? UidEntry.mac(base, count) : new UidEntry(base, count, 1));
    }

    private static ForbiddenVersions.Range range(String text) {
      int dash = text.indexOf('-');
      if (dash < 0) {
        return ForbiddenVersions.Range.of(FwVersion.parse(text));
      }
      return new ForbiddenVersions.Range(FwVersion.parse(text.substring(0, dash)),
          FwVersion.parse(text.substring(dash + 1)));
    }
  }

  /** A value conversion that reports bad input as an unchecked exception with a message. */
  private interface Conversion<T> {
    T get() throws InvalidDescriptionException;
  }

  private static <T> T parse(String path, Conversion<T> conversion)
      throws InvalidDescriptionException {
    try {
      return conversion.get();
    } catch (IllegalArgumentException e) {
      throw invalid("%s: %s", path, e.getMessage());
    }
  }

  private static void checkKeys(JsonNode node, Set<String> known, String prefix)
      throws InvalidDescriptionException {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        throw invalid("unknown key \"%s%s\"; see docs/image-description.md", prefix, name);
      }
    }
  }

  private static String requiredText(JsonNode node, String key) throws InvalidDescriptionException {
    return requiredText(node, key, key);
  }

  private static String requiredText(JsonNode node, String key, String path)
      throws InvalidDescriptionException {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      throw invalid("%s is required", path);
    }
    if (!value.isTextual()) {
      throw invalid("%s: expected a string", path);
    }
    return value.asText();
  }

  private static String text(JsonNode node, String key) throws InvalidDescriptionException {
    return requiredText(node, key, key);
  }

  private static String optionalText(JsonNode node, String key)
      throws InvalidDescriptionException {
    return node.has(key) ? requiredText(node, key, key) : "";
  }

  private static Iterable<JsonNode> array(JsonNode node, String key)
      throws InvalidDescriptionException {
    JsonNode value = node.get(key);
    if (!value.isArray()) {
      throw invalid("%s: expected an array", key);
    }
    return value;
  }

  private static boolean bool(JsonNode node, String path) throws InvalidDescriptionException {
    if (!node.isBoolean()) {
      throw invalid("%s: expected true or false", path);
    }
    return node.asBoolean();
  }

  private static int intNumber(JsonNode node, String path) throws InvalidDescriptionException {
    long value = number(node, path);
    if (value > Integer.MAX_VALUE) {
      throw invalid("%s: %d is too large", path, value);
    }
    return (int) value;
  }

  /** A non-negative integer: JSON number, or a string in decimal, 0x-hex, or with KiB/MiB. */
  private static long number(JsonNode node, String path) throws InvalidDescriptionException {
    if (node.isIntegralNumber() && node.canConvertToLong() && node.asLong() >= 0) {
      return node.asLong();
    }
    if (node.isTextual()) {
      try {
        long value = parseNumber(node.asText());
        if (value >= 0) {
          return value;
        }
      } catch (NumberFormatException | ArithmeticException e) {
        // fall through to the message below
      }
    }
    throw invalid("%s: expected a non-negative integer (42, \"0x2a\", \"64KiB\", \"1MiB\"), "
        + "not %s", path, node.toString());
  }

  static long parseNumber(String text) {
    String value = text.trim().replace("_", "");
    long unit = 1;
    String lower = value.toLowerCase(Locale.ROOT);
    if (lower.endsWith("kib")) {
      unit = 1024;
      value = value.substring(0, value.length() - 3).trim();
    } else if (lower.endsWith("mib")) {
      unit = 1024 * 1024;
      value = value.substring(0, value.length() - 3).trim();
    }
    long number = value.toLowerCase(Locale.ROOT).startsWith("0x")
        ? Long.parseLong(value.substring(2), 16)
        : Long.parseLong(value);
    return Math.multiplyExact(number, unit);
  }

  private static String flagNames() {
    StringBuilder names = new StringBuilder();
    for (ImageInfoFlag flag : ImageInfoFlag.values()) {
      names.append(names.length() == 0 ? "" : ", ").append(flag.fieldName());
    }
    return names.toString();
  }

  private static String reservedNames() {
    StringBuilder names = new StringBuilder();
    for (ReservedSection section : ReservedSection.values()) {
      names.append(names.length() == 0 ? "" : ", ").append(section.name());
    }
    return names.toString();
  }

  private static InvalidDescriptionException invalid(String format, Object... args) {
    return new InvalidDescriptionException(String.format(format, args));
  }
}
