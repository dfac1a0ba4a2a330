package dev.kiln.signer.fs4;

import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.SigningServices;
import dev.kiln.signer.pem.PemKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.util.List;

/**
 * The two steps that turn a freshly written image into what a secure device accepts, with the
 * keys-sample RSA-2048 key (NOT FOR PRODUCTION): put its public key into PUBLIC_KEYS_2048 (what
 * {@code kiln set-public-keys} does) and sign under a key UUID (what {@code kiln sign} does). The
 * emulator's and the burner's test images are made this way; they differ only in how they describe
 * the image.
 */
public final class SampleKeyProvisioning {
  /** The UUID under which the image trusts the sample key. */
  public static final KeyUuid SAMPLE_UUID = KeyUuid.parse(SampleKey.RSA_2048.uuid().toString());

  private SampleKeyProvisioning() {}

  /** The sample RSA-2048 public key. */
  public static RSAPublicKey samplePublicKey() throws Exception {
    return PemKeys.readPublicKey(
        SampleKeys.resourceText(SampleKey.RSA_2048.publicKeyResource()), "sample key");
  }

  /**
   * Writes {@code target}: {@code source} with its PUBLIC_KEYS_2048 section holding the sample
   * public key under {@link #SAMPLE_UUID} (the rest of the section zero).
   */
  public static void provisionSampleKey(Path source, Path target) throws Exception {
    int keysSize =
        (int) ImageParser.parse(source).section(SectionType.PUBLIC_KEYS_2048).orElseThrow().size();
    byte[] keysFile =
        PublicKeysFile.encode(
            List.of(new PublicKeysFile.Key(samplePublicKey(), SAMPLE_UUID)), keysSize);
    try (Fs4ImageSigner.PreparedImage prepared =
        Fs4ImageSigner.setPublicKeys(source, target, keysFile)) {
      prepared.commit();
    }
  }

  /** Opens the sample RSA-2048 private key, written to a new directory under {@code work}. */
  public static SigningService openSampleKey(Path work) throws Exception {
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_2048, Files.createTempDirectory(work, "k"));
    return SigningServices.open("file:" + key, KeyOptions.defaults());
  }

  /** Writes {@code target}: {@code source} signed by {@code key} under {@code uuid}. */
  public static void sign(Path source, Path target, SigningService key, KeyUuid uuid)
      throws Exception {
    try (Fs4ImageSigner.PreparedImage prepared =
        Fs4ImageSigner.sign(source, target, List.of(new Fs4ImageSigner.SigningKey(key, uuid)))) {
      prepared.commit();
    }
  }
}
