package dev.kiln.pipeline.release;

import dev.kiln.pipeline.bundle.BundleReader;
import dev.kiln.pipeline.bundle.BundleWriter;
import dev.kiln.pipeline.bundle.ManifestImage;
import dev.kiln.pipeline.bundle.SigningServiceSigner;
import dev.kiln.pipeline.report.AtomicFiles;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SecretSource;
import dev.kiln.signer.SigningService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Bundle: packs the signed images and their manifest (from the check stage) into a bundle. */
public final class BundleStage implements Stage {
  @Override
  public String name() {
    return "bundle";
  }

  @Override
  public void invoke(PipelineContext context) throws PipelineException {
    ReleaseDescription description = context.description();
    List<BundleWriter.Content> contents = new ArrayList<>();
    for (PipelineContext.ReleaseImage image : context.images()) {
      ManifestImage entry = image.manifestEntry();
      if (entry == null) {
        throw new PipelineException(1, "the check stage did not describe " + image.outputName());
      }
      try {
        contents.add(new BundleWriter.Content(entry, Files.readAllBytes(image.current())));
      } catch (IOException e) {
        throw new PipelineException(3, image.outputName() + ": " + e.getMessage(), e);
      }
    }
    String label = label(context);
    KeyOptions options = keyOptions(description);
    String fileName = description.bundleFile().getFileName().toString();
    Path output = context.workDirectory().resolve(fileName);
    try (SigningService service = context.keys().open(description.bundleKey(), options)) {
      byte[] bundle =
          BundleWriter.write(
              label, context.clock().instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
              contents, new SigningServiceSigner(service));
      AtomicFiles.write(output, bundle);
      context.out().printf("      %s: %d image(s), version %s, manifest signed with %s, sha512 %s"
          + "%n", fileName, contents.size(), label, service.describe(),
          BundleReader.sha512Hex(bundle).substring(0, 16) + "...");
    } catch (KeyAccessException e) {
      throw new PipelineException(4, e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new PipelineException(4, "cannot sign the manifest: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new PipelineException(1, e.getMessage(), e);
    } catch (IOException e) {
      throw new PipelineException(3, e.getMessage(), e);
    }
    context.addProduct(output, fileName);
  }

  /** The release label: bundle.version, or the highest image version. */
  static String label(PipelineContext context) throws PipelineException {
    if (context.description().bundleVersion().isPresent()) {
      return context.description().bundleVersion().get();
    }
    List<dev.kiln.inspector.section.FwVersion> versions = new ArrayList<>();
    for (PipelineContext.ReleaseImage image : context.images()) {
      if (image.manifestEntry() == null) {
        throw new PipelineException(1, "the check stage did not describe " + image.outputName());
      }
      versions.add(image.manifestEntry().fwVersion());
    }
    return versions.stream().max(Comparator.naturalOrder()).orElseThrow().toString();
  }

  /** How the bundle key is opened (signing.keyPass). */
  static KeyOptions keyOptions(ReleaseDescription description) throws PipelineException {
    KeyOptions options = KeyOptions.defaults();
    if (description.signing().keyPass().isPresent()) {
      try {
        options =
            options.withKeyPassphrase(SecretSource.parse(description.signing().keyPass().get()));
      } catch (IllegalArgumentException e) {
        throw new PipelineException(1, "signing.keyPass: " + e.getMessage());
      }
    }
    return options;
  }
}
