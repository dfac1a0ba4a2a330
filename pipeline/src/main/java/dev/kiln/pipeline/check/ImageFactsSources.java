package dev.kiln.pipeline.check;

import dev.kiln.burner.precheck.ImageFactsReader;
import dev.kiln.inspector.section.SectionFormatException;
import dev.kiln.burner.precheck.ImageFacts;
import java.io.IOException;
import java.util.List;

/** The standard {@link ImageFactsSource}: the burner's {@link ImageFactsReader}. */
public final class ImageFactsSources {
  private ImageFactsSources() {}

  /**
   * Reads facts with {@link ImageFactsReader}; an IMAGE_INFO that cannot be decoded becomes an
   * {@link IOException} naming the image (the image cannot be used: exit 3). Unused
   * supported_hw_id slots (0) are dropped: they name no device, and a manifest or policy must
   * not see them as a target.
   */
  public static ImageFactsSource standard() {
    return image -> {
      ImageFacts facts;
      try {
        facts = ImageFactsReader.read(image);
      } catch (SectionFormatException e) {
        throw new IOException(image.source() + ": " + e.getMessage(), e);
      }
      List<Integer> hwIds = facts.supportedHwIds().stream().filter(id -> id != 0).toList();
      return facts.withSupportedHwIds(hwIds);
    };
  }
}
