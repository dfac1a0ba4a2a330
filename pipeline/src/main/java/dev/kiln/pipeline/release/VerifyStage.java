package dev.kiln.pipeline.release;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.ImageVerifier;
import dev.kiln.inspector.VerificationResult;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.fs4.ImageSignatureVerifier;
import dev.kiln.signer.fs4.ImageSigningException;
import dev.kiln.signer.fs4.SignatureReport;
import dev.kiln.signer.fs4.TrustStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Verify: every image must pass structural verification and carry signatures that verify with
 * the release's trusted keys (what {@code kiln verify --trust} checks).
 */
public final class VerifyStage implements Stage {
  @Override
  public String name() {
    return "verify";
  }

  @Override
  public void invoke(PipelineContext context) throws PipelineException {
    TrustStore trust = TrustStore.empty();
    try {
      for (Path key : context.description().trust()) {
        trust = trust.plus(TrustStore.load(key));
      }
    } catch (IOException e) {
      throw new PipelineException(3, "trusted key: " + e.getMessage(), e);
    } catch (KeyAccessException e) {
      throw new PipelineException(4, e.getMessage(), e);
    }
    for (PipelineContext.ReleaseImage image : context.images()) {
      try {
        Fs4Image parsed = ImageParser.parse(image.current());
        VerificationResult structure = ImageVerifier.verify(parsed);
        if (!structure.errors().isEmpty()) {
          throw new PipelineException(
              1, image.outputName() + " fails structural verification: "
                  + structure.errors().stream().limit(3).map(Object::toString)
                      .collect(Collectors.joining("; ")));
        }
        SignatureReport report = ImageSignatureVerifier.verify(parsed, trust);
        if (!report.passes()) {
          throw new PipelineException(
              1, image.outputName() + " signatures do not verify with the trusted keys: "
                  + report.entries().stream()
                      .map(e -> e.sectionName() + " " + e.status())
                      .collect(Collectors.joining(", ")));
        }
        context.out().printf("      %s: structure ok, %s%n", image.outputName(),
            report.entries().stream()
                .filter(e -> e.status() == SignatureReport.Status.VERIFIED)
                .map(e -> e.sectionName() + " verified")
                .collect(Collectors.joining(", ")));
      } catch (ImageSigningException e) {
        throw new PipelineException(1, image.outputName() + ": " + e.getMessage(), e);
      } catch (IOException e) {
        throw new PipelineException(3, image.outputName() + ": " + e.getMessage(), e);
      }
    }
  }
}
