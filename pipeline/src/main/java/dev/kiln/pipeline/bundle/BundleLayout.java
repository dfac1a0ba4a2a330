package dev.kiln.pipeline.bundle;

import java.time.LocalDateTime;
import java.util.regex.Pattern;

/**
 * The bundle file: a zip whose entries are, in this order,
 *
 * <ol>
 *   <li>{@code manifest.json}: the {@link BundleManifest};
 *   <li>{@code manifest.sig}: a {@link DetachedSignature} (JSON) over the exact bytes of {@code
 *       manifest.json};
 *   <li>{@code images/NAME}, one per manifest image, in manifest order.
 * </ol>
 *
 * <p>Every entry is STORED (no compression, whose output could differ between zip libraries), has
 * the DOS time 1980-01-01 00:00 and no extra fields, so the same inputs give the same bundle bytes.
 * A reader accepts nothing else: no directories, no other names, no duplicates.
 */
public final class BundleLayout {
  public static final String MANIFEST = "manifest.json";
  public static final String SIGNATURE = "manifest.sig";
  public static final String IMAGE_DIR = "images/";
  /** The fixed time of every entry (the earliest a DOS time can express). */
  public static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

  /** What an image file name inside {@code images/} may look like: no separators, no dot-dot. */
  static final Pattern IMAGE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");

  private BundleLayout() {}

  /** Whether {@code name} is an acceptable image file name. */
  public static boolean isSafeImageName(String name) {
    return IMAGE_NAME.matcher(name).matches() && !name.contains("..");
  }
}
