package dev.kiln.pipeline.release;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.Section;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.fs4.Fs4ImageSigner;
import dev.kiln.signer.fs4.ImageSigningException;
import dev.kiln.signer.fs4.KeyUuid;
import dev.kiln.signer.fs4.PublicKeysFile;
import dev.kiln.signer.fs4.TrustStore;
import dev.kiln.signer.pem.PemKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keys: writes the release's {@code provisionKeys} into each image's PUBLIC_KEYS sections before
 * signing, exactly as {@code kiln keys pack} + {@code kiln set-public-keys} do (the signer's {@link
 * PublicKeysFile} and {@link Fs4ImageSigner#setPublicKeys}), so the keys a device trusts once it
 * runs the image are the release's, and the next release signed the same way is accepted. RSA-2048
 * keys go to PUBLIC_KEYS_2048, RSA-4096 keys to PUBLIC_KEYS_4096, each zero-padded to the image's
 * section size. Without {@code provisionKeys} the images keep the keys they were built with (the
 * check stage then refuses an image that would lock the device out).
 */
public final class ProvisionKeysStage implements Stage {
  @Override
  public String name() {
    return "keys";
  }

  @Override
  public void invoke(PipelineContext context) throws PipelineException {
    List<ReleaseDescription.ProvisionedKey> provisioned = context.description().provisionKeys();
    if (provisioned.isEmpty()) {
      context.out().println("      no provisionKeys: the images keep the PUBLIC_KEYS they were"
          + " built with");
      return;
    }
    // Group by section: the 2048-bit keys in order, then the 4096-bit ones.
    Map<SectionType, List<PublicKeysFile.Key>> bySection = new LinkedHashMap<>();
    for (ReleaseDescription.ProvisionedKey key : provisioned) {
      RSAPublicKey publicKey = read(key.publicKey());
      KeyUuid uuid;
      try {
        uuid = KeyUuid.parse(key.uuid());
      } catch (IllegalArgumentException e) {
        throw new PipelineException(1, "provisionKeys: " + key.publicKey() + ": " + e.getMessage());
      }
      int bits = publicKey.getModulus().bitLength();
      SectionType section =
          switch (bits) {
            case 2048 -> SectionType.PUBLIC_KEYS_2048;
            case 4096 -> SectionType.PUBLIC_KEYS_4096;
            default -> throw new PipelineException(
                1, "provisionKeys: " + key.publicKey() + " is RSA-" + bits
                    + "; only RSA-2048 and RSA-4096 keys fit a PUBLIC_KEYS section");
          };
      bySection.computeIfAbsent(section, s -> new ArrayList<>())
          .add(new PublicKeysFile.Key(publicKey, uuid));
    }
    for (PipelineContext.ReleaseImage image : context.images()) {
      Path current = image.current();
      int step = 0;
      for (Map.Entry<SectionType, List<PublicKeysFile.Key>> entry : bySection.entrySet()) {
        Path output =
            context.workDirectory().resolve(image.source().baseName() + ".keys" + ++step + ".bin");
        try {
          byte[] content = PublicKeysFile.encode(entry.getValue(), sectionSize(current, entry
              .getKey(), image.outputName()));
          try (Fs4ImageSigner.PreparedImage prepared =
              Fs4ImageSigner.setPublicKeys(current, output, content)) {
            prepared.commit();
          }
        } catch (IllegalArgumentException | ImageSigningException e) {
          throw new PipelineException(1, image.outputName() + ": " + e.getMessage(), e);
        } catch (IOException e) {
          throw new PipelineException(3, image.outputName() + ": " + e.getMessage(), e);
        }
        context.out().printf("      %s: %s holds %s%n", image.outputName(), entry.getKey(),
            String.join(", ", entry.getValue().stream().map(k -> k.uuid().toString()).toList()));
        current = output;
      }
      image.current(current);
    }
  }

  private static RSAPublicKey read(Path pem) throws PipelineException {
    try {
      return PemKeys.readPublicKey(
          new String(TrustStore.readFile(pem), StandardCharsets.US_ASCII), pem.toString());
    } catch (IOException e) {
      throw new PipelineException(3, "provisionKeys: cannot read " + pem + ": " + e, e);
    } catch (KeyAccessException e) {
      throw new PipelineException(4, "provisionKeys: " + e.getMessage(), e);
    }
  }

  /** The size of the image's section of {@code type}; the image must reserve it. */
  private static int sectionSize(Path image, SectionType type, String name)
      throws IOException, PipelineException {
    Fs4Image parsed = ImageParser.parse(ImageParser.readFile(image), name);
    List<Section> sections = parsed.sectionsOf(type);
    if (sections.isEmpty()) {
      throw new PipelineException(
          1, name + " has no " + type + " section to provision the keys into; reserve it in the"
              + " image description (\"reserve\": [\"" + type + "\"])");
    }
    return Math.toIntExact(sections.get(0).size());
  }
}
