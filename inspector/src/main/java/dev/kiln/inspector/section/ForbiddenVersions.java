package dev.kiln.inspector.section;

import dev.kiln.inspector.format.Dwords;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The FORBIDDEN_VERSIONS section (type 0xA2) in <b>Kiln's own layout</b>, version 1. The vendor's
 * layout is not public and mstflint treats the section as opaque bytes (fs4-format.md §13,
 * §16.9), so Kiln defines one; the device emulator and pre-validation read the same layout.
 * {@code docs/forbidden-versions.md} documents it for people.
 *
 * <table>
 *   <caption>Layout (big-endian)</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th></tr>
 *   <tr><td>0x00</td><td>4</td><td>magic 0x4B465631 ("KFV1")</td></tr>
 *   <tr><td>0x04</td><td>2</td><td>layout version = 1</td></tr>
 *   <tr><td>0x06</td><td>2</td><td>entry count N</td></tr>
 *   <tr><td>0x08</td><td>8·N</td><td>entries: u16 major, u16 minor, u16 subminor, u16
 *       flags</td></tr>
 *   <tr><td>0x08+8N</td><td>rest</td><td>0x00</td></tr>
 * </table>
 *
 * <p>Entry flags: 0 = this exact version is forbidden; 1 = this entry starts an inclusive range
 * whose end is the next entry (which has flags 0). A section that is all 0xFF (never written) or
 * all 0x00 means "no forbidden versions". Capacity is {@code (sectionSize − 8) / 8} entries.
 *
 * @param ranges forbidden versions; a single version is a range whose ends are equal
 */
public record ForbiddenVersions(List<Range> ranges) {
  /** "KFV1". */
  public static final int MAGIC = 0x4B465631;

  /** The layout version this class reads and writes. */
  public static final int LAYOUT_VERSION = 1;

  /** Size of the header (magic, version, count). */
  public static final int HEADER_SIZE = 8;

  /** Size of one entry. */
  public static final int ENTRY_SIZE = 8;

  /** Section size Kiln reserves by default (31 entries). */
  public static final int DEFAULT_SECTION_SIZE = 0x100;

  /** Flags value of an entry that starts a range. */
  public static final int FLAG_RANGE_START = 1;

  /** No version is forbidden. */
  public static final ForbiddenVersions NONE = new ForbiddenVersions(List.of());

  /**
   * An inclusive range of forbidden versions.
   *
   * @param from first forbidden version
   * @param to last forbidden version (equal to {@code from} for a single version)
   */
  public record Range(FwVersion from, FwVersion to) {
    public Range {
      if (from.compareTo(to) > 0) {
        throw new IllegalArgumentException(
            "forbidden range " + from + ".." + to + " ends before it starts");
      }
    }

    /** A single forbidden version. */
    public static Range of(FwVersion version) {
      return new Range(version, version);
    }

    /** True when {@code version} lies in the range. */
    public boolean contains(FwVersion version) {
      return from.compareTo(version) <= 0 && version.compareTo(to) <= 0;
    }

    /** True when the range is one version. */
    public boolean isSingle() {
      return from.equals(to);
    }

    /** Entries this range takes in the section. */
    int entryCount() {
      return isSingle() ? 1 : 2;
    }

    @Override
    public String toString() {
      return isSingle() ? from.toString() : from + ".." + to;
    }
  }

  public ForbiddenVersions {
    ranges = List.copyOf(ranges);
  }

  /** Entries a section of {@code sectionSize} bytes holds. */
  public static int capacity(int sectionSize) {
    return Math.max(0, (sectionSize - HEADER_SIZE) / ENTRY_SIZE);
  }

  /** True when {@code version} is forbidden. */
  public boolean forbids(FwVersion version) {
    return ranges.stream().anyMatch(r -> r.contains(version));
  }

  /** Number of entries the encoding needs. */
  public int entryCount() {
    return ranges.stream().mapToInt(Range::entryCount).sum();
  }

  /** Decodes a body (position to limit; the buffer is not moved). */
  public static ForbiddenVersions decode(ByteBuffer body) throws SectionFormatException {
    return decode(Fields.remaining(body));
  }

  /**
   * Decodes a section body.
   *
   * @throws SectionFormatException when the body is neither blank nor a consistent version-1
   *     layout; the message names the first problem and its offset
   */
  public static ForbiddenVersions decode(byte[] body) throws SectionFormatException {
    if (isBlank(body)) {
      return NONE;
    }
    if (body.length < HEADER_SIZE) {
      throw new SectionFormatException(
          "FORBIDDEN_VERSIONS is " + body.length + " bytes, shorter than its 8-byte header");
    }
    int magic = Dwords.get(body, 0);
    if (magic != MAGIC) {
      throw new SectionFormatException(
          String.format("FORBIDDEN_VERSIONS magic is 0x%08x, not 0x%08x (\"KFV1\")", magic, MAGIC));
    }
    int version = u16(body, 4);
    if (version != LAYOUT_VERSION) {
      throw new SectionFormatException(
          "FORBIDDEN_VERSIONS layout version " + version + " is not supported (only 1)");
    }
    int count = u16(body, 6);
    int capacity = capacity(body.length);
    if (count > capacity) {
      throw new SectionFormatException(String.format(
          "FORBIDDEN_VERSIONS claims %d entries; a 0x%x-byte section holds %d",
          count, body.length, capacity));
    }
    List<Range> ranges = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int at = HEADER_SIZE + i * ENTRY_SIZE;
      FwVersion from = entryVersion(body, at);
      int flags = u16(body, at + 6);
      if (flags == 0) {
        ranges.add(Range.of(from));
      } else if (flags == FLAG_RANGE_START) {
        if (i + 1 >= count) {
          throw new SectionFormatException(String.format(
              "FORBIDDEN_VERSIONS entry %d at 0x%x starts a range but is the last entry", i, at));
        }
        int endAt = at + ENTRY_SIZE;
        if (u16(body, endAt + 6) != 0) {
          throw new SectionFormatException(String.format(
              "FORBIDDEN_VERSIONS entry %d at 0x%x ends a range but has flags 0x%x",
              i + 1, endAt, u16(body, endAt + 6)));
        }
        FwVersion to = entryVersion(body, endAt);
        if (from.compareTo(to) > 0) {
          throw new SectionFormatException(String.format(
              "FORBIDDEN_VERSIONS range at 0x%x runs backwards (%s..%s)", at, from, to));
        }
        ranges.add(new Range(from, to));
        i++;
      } else {
        throw new SectionFormatException(String.format(
            "FORBIDDEN_VERSIONS entry %d at 0x%x has unknown flags 0x%x", i, at, flags));
      }
    }
    for (int at = HEADER_SIZE + count * ENTRY_SIZE; at < body.length; at++) {
      if (body[at] != 0) {
        throw new SectionFormatException(String.format(
            "FORBIDDEN_VERSIONS has non-zero byte 0x%02x at 0x%x after its %d entries",
            body[at] & 0xFF, at, count));
      }
    }
    return new ForbiddenVersions(ranges);
  }

  /**
   * The section body for a section of {@code sectionSize} bytes.
   *
   * @throws IllegalArgumentException when the entries do not fit
   */
  public byte[] encode(int sectionSize) {
    int count = entryCount();
    if (sectionSize < HEADER_SIZE || count > capacity(sectionSize)) {
      throw new IllegalArgumentException(String.format(
          "%d forbidden-version entries do not fit a 0x%x-byte FORBIDDEN_VERSIONS section "
              + "(room for %d)", count, sectionSize, capacity(sectionSize)));
    }
    byte[] body = new byte[sectionSize];
    Dwords.put(body, 0, MAGIC);
    Dwords.put(body, 4, (LAYOUT_VERSION << 16) | count);
    int at = HEADER_SIZE;
    for (Range range : ranges) {
      putEntry(body, at, range.from(), range.isSingle() ? 0 : FLAG_RANGE_START);
      at += ENTRY_SIZE;
      if (!range.isSingle()) {
        putEntry(body, at, range.to(), 0);
        at += ENTRY_SIZE;
      }
    }
    return body;
  }

  private static void putEntry(byte[] body, int at, FwVersion version, int flags) {
    Dwords.put(body, at, (version.major() << 16) | version.minor());
    Dwords.put(body, at + 4, (version.subminor() << 16) | flags);
  }

  private static FwVersion entryVersion(byte[] body, int at) {
    return new FwVersion(u16(body, at), u16(body, at + 2), u16(body, at + 4));
  }

  private static int u16(byte[] body, int at) {
    return ((body[at] & 0xFF) << 8) | (body[at + 1] & 0xFF);
  }

  private static boolean isBlank(byte[] body) {
    if (body.length == 0) {
      return true;
    }
    byte first = body[0];
    if (first != 0 && first != (byte) 0xFF) {
      return false;
    }
    for (byte b : body) {
      if (b != first) {
        return false;
      }
    }
    return true;
  }
}
