package dev.kiln.pipeline.check;

import dev.kiln.burner.precheck.ImageFactsReader;
import dev.kiln.inspector.section.SectionFormatException;
import java.io.IOException;

/** The standard {@link ImageFactsSource}: the burner's {@link ImageFactsReader}. */
public final class ImageFactsSources {
  private ImageFactsSources() {}

  /**
   * Reads facts with {@link ImageFactsReader}; an IMAGE_INFO that cannot be decoded becomes an
   * {@link IOException} naming the image (the image cannot be used: exit 3).
   */
  public static ImageFactsSource standard() {
    return image -> {
      try {
        return ImageFactsReader.read(image);
      } catch (SectionFormatException e) {
        throw new IOException(image.source() + ": " + e.getMessage(), e);
      }
    };
  }
}
