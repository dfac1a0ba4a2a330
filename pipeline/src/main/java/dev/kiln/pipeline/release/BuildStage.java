package dev.kiln.pipeline.release;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Build: turns each image description into an image in the work directory; images given as built
 * are copied there, so later stages never modify an input.
 */
public final class BuildStage implements Stage {
  private final ImageBuilder builder;

  public BuildStage(ImageBuilder builder) {
    this.builder = builder;
  }

  @Override
  public String name() {
    return "build";
  }

  @Override
  public void invoke(PipelineContext context) throws PipelineException {
    for (PipelineContext.ReleaseImage image : context.images()) {
      Path output = context.workDirectory().resolve(image.source().baseName() + ".built.bin");
      try {
        if (image.source().description().isPresent()) {
          Path description = image.source().description().get();
          builder.build(description, output);
          context.out().printf("      built %s from %s%n", image.outputName(),
              description.getFileName());
        } else {
          Path input = image.source().image().get();
          Files.copy(input, output);
          context.out().printf("      took %s as built%n", input.getFileName());
        }
      } catch (IOException e) {
        throw new PipelineException(
            3, image.source().description().orElseGet(() -> image.source().image().get())
                + ": " + e.getMessage(), e);
      }
      image.current(output);
    }
  }
}
