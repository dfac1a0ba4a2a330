package dev.kiln.pipeline.release;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.packages.pldm.PldmFormatRevision;
import dev.kiln.pipeline.bundle.BundleReader;
import dev.kiln.pipeline.bundle.BundleVerification;
import dev.kiln.pipeline.bundle.DocumentSigner;
import dev.kiln.pipeline.bundle.SigningServiceSigner;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.packages.BuiltPackage;
import dev.kiln.pipeline.packages.PackageBuilder;
import dev.kiln.pipeline.packages.PackageSignature;
import dev.kiln.pipeline.packages.SignedPackageWriter;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.SigningService;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Packages: makes the MFA2 archive and the DSP0267 package the description asks for from the
 * same signed images as the bundle (each signed with the bundle key in a detached {@code .ksig},
 * written and read back by {@link SignedPackageWriter}), then verifies the kiln bundle too, read
 * back from disk with the bundle key: its manifest signature and that it holds exactly the
 * release's images. The release succeeds only when every package verified.
 */
public final class PackagesStage implements Stage {
  @Override
  public String name() {
    return "packages";
  }

  @Override
  public void invoke(PipelineContext context) throws PipelineException {
    ReleaseDescription description = context.description();
    ReleaseDescription.Packages packages = description.packages();
    List<Fs4Image> images = new ArrayList<>();
    List<byte[]> imageBytes = new ArrayList<>();
    for (PipelineContext.ReleaseImage image : context.images()) {
      try {
        byte[] bytes = ImageParser.readFile(image.current());
        imageBytes.add(bytes);
        images.add(ImageParser.parse(bytes, image.outputName()));
      } catch (IOException e) {
        throw new PipelineException(3, image.outputName() + ": " + e.getMessage(), e);
      }
    }
    String label = BundleStage.label(context);
    try (SigningService service =
        context.keys().open(description.bundleKey(), BundleStage.keyOptions(description))) {
      DocumentSigner signer = new SigningServiceSigner(service);
      if (packages.mfa2().isPresent()) {
        write(context, packages.mfa2().get(), PackageBuilder.mfa2(images, label, created(context)), signer);
      }
      if (packages.pldm().isPresent()) {
        PldmFormatRevision revision =
            PldmFormatRevision.ofSpecVersion(packages.pldmVersion()).orElseThrow();
        write(context, packages.pldm().get(),
            PackageBuilder.pldm(images, revision, label, created(context)), signer);
      }
      verifyBundle(context, imageBytes, TrustedKeys.of(List.of(signer.publicKey())));
    } catch (KeyAccessException e) {
      throw new PipelineException(4, e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new PipelineException(4, "cannot sign a package: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new PipelineException(1, e.getMessage(), e);
    } catch (IOException e) {
      throw new PipelineException(3, e.getMessage(), e);
    }
  }

  private static java.time.Instant created(PipelineContext context) {
    return context.clock().instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
  }

  private static void write(
      PipelineContext context, Path file, BuiltPackage built, DocumentSigner signer)
      throws IOException, GeneralSecurityException, KeyAccessException {
    String fileName = file.getFileName().toString();
    Path output = context.workDirectory().resolve(fileName);
    var verification = SignedPackageWriter.write(output, built, signer);
    Path signature = PackageSignature.fileFor(output);
    context.out().printf("      %s: %d image(s), verified (read back, signature %s)%n", fileName,
        verification.pkg().images().size(), signature.getFileName());
    context.addProduct(output, fileName);
    context.addProduct(signature, signature.getFileName().toString());
  }

  private static void verifyBundle(PipelineContext context, List<byte[]> images, TrustedKeys key)
      throws IOException, PipelineException {
    String fileName = context.description().bundleFile().getFileName().toString();
    BundleVerification verification =
        BundleReader.verify(context.workDirectory().resolve(fileName), key);
    if (!verification.verified()) {
      throw new PipelineException(1, fileName + " does not verify: "
          + verification.findings().stream().map(CheckFinding::toString)
              .collect(Collectors.joining("; ")));
    }
    List<byte[]> held = new ArrayList<>(verification.images().values());
    boolean same = held.size() == images.size();
    for (int i = 0; same && i < held.size(); i++) {
      same = Arrays.equals(held.get(i), images.get(i));
    }
    if (!same) {
      throw new PipelineException(1, fileName + " does not hold the release's images");
    }
    context.out().printf("      %s: verified (read back, manifest signature, %d image(s))%n",
        fileName, held.size());
  }
}
