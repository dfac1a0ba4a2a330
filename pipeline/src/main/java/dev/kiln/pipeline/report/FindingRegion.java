package dev.kiln.pipeline.report;

/**
 * Where in its file a finding is: a byte range of a binary file (an image section) or a line and
 * column of a text file (a policy member). SARIF reports it as the result's {@code region}
 * (SARIF 2.1.0 §3.30: {@code byteOffset}/{@code byteLength}, or {@code startLine}/{@code
 * startColumn}, both 1-based).
 *
 * @param byteOffset file offset, or -1 for a text position
 * @param byteLength bytes from the offset, or -1 when unknown
 * @param line 1-based line, or -1 for a byte range
 * @param column 1-based column, or -1 when unknown
 * @param endColumn the column just after the region on the same line (SARIF's exclusive {@code
 *     endColumn}), or -1 when unknown
 */
public record FindingRegion(long byteOffset, long byteLength, int line, int column, int endColumn) {
  public FindingRegion {
    if ((byteOffset < 0) == (line < 1)) {
      throw new IllegalArgumentException("a region is either a byte range or a text position");
    }
  }

  /** {@code length} bytes (or an unknown number, -1) from {@code offset}. */
  public static FindingRegion bytes(long offset, long length) {
    return new FindingRegion(offset, length, -1, -1, -1);
  }

  /** A position in a text file; {@code column} -1 when unknown. */
  public static FindingRegion text(int line, int column) {
    return new FindingRegion(-1, -1, line, column, -1);
  }

  /** {@code width} characters from {@code column} of {@code line} (a token of the file). */
  public static FindingRegion text(int line, int column, int width) {
    return new FindingRegion(-1, -1, line, column, column > 0 ? column + width : -1);
  }

  public boolean isBinary() {
    return byteOffset >= 0;
  }

  /** {@code 0x1000} or {@code 3:7}, the form the text output appends. */
  @Override
  public String toString() {
    if (isBinary()) {
      return "0x" + Long.toHexString(byteOffset);
    }
    return column > 0 ? line + ":" + column : Integer.toString(line);
  }
}
