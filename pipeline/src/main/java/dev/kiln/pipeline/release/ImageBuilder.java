package dev.kiln.pipeline.release;

import java.io.IOException;
import java.nio.file.Path;

/** Builds an FS4 image from an image description file ({@code kiln build}'s input). */
@FunctionalInterface
public interface ImageBuilder {
  /**
   * Writes the image described by {@code description} to {@code output}.
   *
   * @throws IOException if the description cannot be read or is invalid (message says why)
   */
  void build(Path description, Path output) throws IOException;
}
