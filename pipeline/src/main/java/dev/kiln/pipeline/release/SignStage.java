package dev.kiln.pipeline.release;

import dev.kiln.keys.SampleKeys;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyFingerprint;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SecretSource;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.audit.AuditLog;
import dev.kiln.signer.audit.AuditRecord;
import dev.kiln.signer.fs4.Fs4ImageSigner;
import dev.kiln.signer.fs4.ImageSigningException;
import dev.kiln.signer.fs4.KeyUuid;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Sign: signs every image with the release's key(s) through the signer's FS4 engine (the same
 * code as {@code kiln sign}), into a new file in the work directory. The audit record is kept in
 * the context and appended when the image is published.
 */
public final class SignStage implements Stage {
  @Override
  public String name() {
    return "sign";
  }

  @Override
  public void invoke(PipelineContext context) throws PipelineException {
    ReleaseDescription.Signing signing = context.description().signing();
    KeyOptions options = KeyOptions.defaults();
    if (signing.keyPass().isPresent()) {
      try {
        options = options.withKeyPassphrase(SecretSource.parse(signing.keyPass().get()));
      } catch (IllegalArgumentException e) {
        throw new PipelineException(1, "signing.keyPass: " + e.getMessage());
      }
    }
    List<SigningService> services = new ArrayList<>();
    try {
      List<Fs4ImageSigner.SigningKey> keys = new ArrayList<>();
      keys.add(open(context, signing.key(), signing.keyUuid(), options, services));
      if (signing.key2().isPresent()) {
        keys.add(
            open(context, signing.key2().get(),
                signing.keyUuid2().orElseThrow(
                    () -> new PipelineException(1, "signing.key2 needs signing.keyUuid2")),
                options, services));
      }
      for (PipelineContext.ReleaseImage image : context.images()) {
        Path output = context.workDirectory().resolve(image.source().baseName() + ".signed.bin");
        try (Fs4ImageSigner.PreparedImage prepared =
            Fs4ImageSigner.sign(image.current(), output, keys)) {
          prepared.commit();
          List<AuditRecord.Signature> signatures = new ArrayList<>();
          for (Fs4ImageSigner.WrittenSignature written : prepared.signatures()) {
            signatures.add(
                new AuditRecord.Signature(
                    written.sectionName(), written.keyReference(),
                    written.publicKeyFingerprint(), written.keyUuid().toString(),
                    written.backend(), written.kmsRequestId()));
            context.out().printf("      %s: %s with %s (key UUID %s)%n", image.outputName(),
                written.sectionName(), written.keyReference(), written.keyUuid());
          }
          Path published = context.description().outputDirectory().resolve(image.outputName());
          image.signing(
              new AuditRecord(
                  context.clock().instant(), "release-sign",
                  image.current().toAbsolutePath().toString(),
                  published.toAbsolutePath().toString(), prepared.sha512Before(),
                  prepared.sha512After(), signatures, AuditLog.currentUser(),
                  AuditLog.currentHost()));
        } catch (ImageSigningException e) {
          throw new PipelineException(1, image.outputName() + ": " + e.getMessage(), e);
        } catch (IOException e) {
          throw new PipelineException(3, image.outputName() + ": " + e.getMessage(), e);
        }
        image.current(output);
        context.addProduct(output, image.outputName());
      }
    } catch (KeyAccessException e) {
      throw new PipelineException(4, e.getMessage(), e);
    } finally {
      services.forEach(SigningService::close);
    }
  }

  private static Fs4ImageSigner.SigningKey open(
      PipelineContext context, String reference, String uuid, KeyOptions options,
      List<SigningService> services) throws KeyAccessException, PipelineException {
    KeyUuid keyUuid;
    try {
      keyUuid = KeyUuid.parse(uuid);
    } catch (IllegalArgumentException e) {
      throw new PipelineException(1, "signing key UUID: " + e.getMessage());
    }
    SigningService service = context.keys().open(reference, options);
    services.add(service);
    String fingerprint = KeyFingerprint.of(service.publicKey());
    if (SampleKeys.isSample(fingerprint)) {
      if (!context.description().signing().allowSampleKeys()) {
        throw new KeyAccessException(
            service.describe() + " is a keys-sample key (NOT FOR PRODUCTION); set"
                + " signing.allowSampleKeys to use it for tests");
      }
      context.out().printf("      note: %s is a sample key, NOT FOR PRODUCTION%n",
          service.describe());
    }
    return new Fs4ImageSigner.SigningKey(service, keyUuid);
  }
}
