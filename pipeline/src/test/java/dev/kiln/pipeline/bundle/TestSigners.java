package dev.kiln.pipeline.bundle;

import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SigningServices;
import java.io.IOException;
import java.nio.file.Path;

/** Document signers backed by the PEM signing service and the sample keys (NOT FOR PRODUCTION). */
public final class TestSigners {
  private TestSigners() {}

  /** A signer over the sample key, opened through the real file-key backend. */
  public static DocumentSigner sample(SampleKey key, Path directory)
      throws IOException, KeyAccessException {
    Path pem = SampleKeys.writePrivateKey(key, directory);
    return new SigningServiceSigner(SigningServices.open("file:" + pem, KeyOptions.defaults()));
  }

  /** The sample key's public PEM file, for --trust style inputs. */
  public static Path samplePublic(SampleKey key, Path directory) throws IOException {
    return SampleKeys.writePublicKey(key, directory);
  }
}
