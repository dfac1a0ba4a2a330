package dev.kiln.pipeline.check;

import dev.kiln.burner.precheck.ImageFacts;
import dev.kiln.inspector.Fs4Image;
import java.io.IOException;

/**
 * Reads the facts a device's update checks depend on (PSID, HW ids, version, security version,
 * security flags, signature key UUIDs) from a parsed image.
 */
@FunctionalInterface
public interface ImageFactsSource {
  ImageFacts read(Fs4Image image) throws IOException;
}
