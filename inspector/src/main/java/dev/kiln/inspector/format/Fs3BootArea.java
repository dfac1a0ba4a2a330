package dev.kiln.inspector.format;

/**
 * The start of an FS3 (ConnectX-4 / ConnectX-4 Lx) image: what mstflint reads before the ITOC
 * (fs4-format.md §18; mstflint 4.21 mlxfwops/lib/fs3_ops.cpp, Fs3Operations::FsVerifyAux, and
 * mlxfwops/lib/fw_ops.cpp, FwOperations::IsFS3OrFS2Image and CheckBinVersion).
 *
 * <table>
 *   <caption>FS3 boot area (offsets from the image start)</caption>
 *   <tr><th>offset</th><th>size</th><th>content</th></tr>
 *   <tr><td>0x00</td><td>16</td><td>FS3 magic {@code 4D544657 8CDFD000 DEAD9270 4154BEEF}</td></tr>
 *   <tr><td>0x10</td><td>20</td><td>not read by mstflint (Kiln writes 0)</td></tr>
 *   <tr><td>0x24</td><td>4</td><td>format dword: 0x24.24-31 image format (3; anything else is
 *       FS2 to mstflint, which then fails), 0x24.16-23 log2 chunk size (0 means 21), 0x24.8-15
 *       bin_ver_major, 0x24.0-7 bin_ver_minor (FS3 needs 1.1 up to 1.x, or 0.0)</td></tr>
 *   <tr><td>0x28</td><td>16</td><td>not read (Kiln writes 0)</td></tr>
 *   <tr><td>0x38</td><td></td><td>BOOT2 ({@link Boot2})</td></tr>
 * </table>
 *
 * <p>The ITOC follows at the first 4 KiB boundary at or after the end of BOOT2; mstflint tries
 * every further 4 KiB boundary until a header carries the ITOC signature. All 0x38 bytes before
 * BOOT2 are part of what {@code sign} hashes (with the magic masked).
 */
public final class Fs3BootArea {
  /** Size of the area before BOOT2 (mstflint's FS3_BOOT_START). */
  public static final int SIZE = 0x38;

  /** Offset of the format dword (mstflint's FS3_IND_ADDR). */
  public static final int FORMAT_DWORD_OFFSET = 0x24;

  /** The image format FS3 images carry in the format dword's top byte (IMG_VER_FS3). */
  public static final int IMAGE_FORMAT = 3;

  /** log2 chunk size when the format dword holds 0 (FS3_LOG_CHUNK_SIZE). */
  public static final int DEFAULT_LOG2_CHUNK_SIZE = 21;

  /** Step of the ITOC search (FS3_DEFAULT_SECTOR_SIZE). */
  public static final int ITOC_SEARCH_STEP = 0x1000;

  /** Lowest bin version FS3 tools accept other than 0.0 (FS3_MIN_BIN_VER_MAJOR/MINOR). */
  public static final int MIN_BIN_MAJOR = 1;

  /** See {@link #MIN_BIN_MAJOR}. */
  public static final int MIN_BIN_MINOR = 1;

  /** Highest bin_ver_major accepted (FS3_MAX_BIN_VER_MAJOR). */
  public static final int MAX_BIN_MAJOR = 1;

  private Fs3BootArea() {}

  /** The format dword for the given fields. */
  public static int formatDword(int log2ChunkSize, int binMajor, int binMinor) {
    return (IMAGE_FORMAT << 24) | ((log2ChunkSize & 0xFF) << 16) | ((binMajor & 0xFF) << 8)
        | (binMinor & 0xFF);
  }

  /** The image format byte of a format dword. */
  public static int imageFormat(int formatDword) {
    return formatDword >>> 24;
  }

  /** The log2 chunk size a format dword selects (0 there means {@link #DEFAULT_LOG2_CHUNK_SIZE}). */
  public static int log2ChunkSize(int formatDword) {
    int stored = (formatDword >>> 16) & 0xFF;
    return stored == 0 ? DEFAULT_LOG2_CHUNK_SIZE : stored;
  }

  public static int binMajor(int formatDword) {
    return (formatDword >>> 8) & 0xFF;
  }

  public static int binMinor(int formatDword) {
    return formatDword & 0xFF;
  }

  /** True when mstflint's CheckBinVersion accepts the bin version of the format dword. */
  public static boolean binVersionSupported(int formatDword) {
    int major = binMajor(formatDword);
    int minor = binMinor(formatDword);
    if (major == 0 && minor == 0) {
      return true;
    }
    return major <= MAX_BIN_MAJOR
        && (major > MIN_BIN_MAJOR || (major == MIN_BIN_MAJOR && minor >= MIN_BIN_MINOR));
  }

  /** The first ITOC candidate: the 4 KiB boundary at or after {@code boot2End}. */
  public static long firstItocCandidate(long boot2End) {
    return (boot2End + ITOC_SEARCH_STEP - 1) / ITOC_SEARCH_STEP * ITOC_SEARCH_STEP;
  }
}
