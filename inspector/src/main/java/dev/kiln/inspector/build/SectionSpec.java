package dev.kiln.inspector.build;

import dev.kiln.inspector.format.SectionType;
import java.util.Objects;

/**
 * One ITOC section a description asks for: its type code and content. The writer places it
 * 0x80-aligned and computes its CRC (mode 0, in the ITOC entry).
 *
 * @param type section type code (see {@link SectionType}); the types the writer generates itself
 *     (IMAGE_INFO, signature, key, forbidden-version and device-data sections) are refused
 * @param content where the body comes from
 */
public record SectionSpec(int type, SectionContent content) {
  public SectionSpec {
    Objects.requireNonNull(content, "content");
  }

  /** A section of {@code type} filled with {@code size} bytes of {@code fill}. */
  public static SectionSpec filled(SectionType type, long size, int fill) {
    return new SectionSpec(type.code(), new SectionContent.Filled(size, fill));
  }

  /** A section of {@code type} with {@code size} pseudo-random bytes from {@code seed}. */
  public static SectionSpec random(SectionType type, long size, long seed) {
    return new SectionSpec(type.code(), new SectionContent.Random(size, seed));
  }

  /** A section of {@code type} holding {@code bytes}. */
  public static SectionSpec bytes(SectionType type, byte[] bytes) {
    return new SectionSpec(type.code(), new SectionContent.FromBytes(bytes));
  }

  /** The name mstflint prints for the type. */
  public String typeName() {
    return SectionType.nameOf(type);
  }
}
