package dev.kiln.pipeline.demo;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.Section;
import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.build.ReservedSection;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ImageInfoFlag;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.fs4.Fs4ImageSigner;
import dev.kiln.signer.fs4.ImageSigningException;
import dev.kiln.signer.fs4.KeyUuid;
import dev.kiln.signer.fs4.PublicKeysFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Makes the demo's (and the pipeline tests') firmware through the real production code: the
 * inspector's {@link ImageWriter} builds the image, the signer's engine provisions the trusted
 * public key into PUBLIC_KEYS_2048 and signs IMAGE_SIGNATURE_256. Nothing here is a stand-in; it
 * only fixes the choices a release engineer would make in a description file.
 */
public final class SampleFirmware {
  /** The demo board: a ConnectX-6 Dx with this PSID. */
  public static final DeviceType DEVICE = DeviceType.CX6DX;

  public static final String PSID = "MT_0000000528";

  private SampleFirmware() {}

  /**
   * What to build.
   *
   * @param device the adapter type
   * @param psid the PSID
   * @param version the FW version
   * @param securityVersion the FW security version
   * @param secure whether IMAGE_INFO sets mcc_en, secure_fw and signed_fw
   * @param forbidden versions the image itself forbids (its FORBIDDEN_VERSIONS section)
   */
  public record Spec(
      DeviceType device, String psid, FwVersion version, long securityVersion, boolean secure,
      List<FwVersion> forbidden) {
    public Spec {
      forbidden = List.copyOf(forbidden);
    }

    /** A secure CX6DX image of the demo PSID at {@code version}, security version 1. */
    public static Spec secure(String version) {
      return new Spec(DEVICE, PSID, FwVersion.parse(version), 1, true, List.of());
    }

    public Spec withPsid(String value) {
      return new Spec(device, value, version, securityVersion, secure, forbidden);
    }

    public Spec withDevice(DeviceType value) {
      return new Spec(value, psid, version, securityVersion, secure, forbidden);
    }

    public Spec withSecurityVersion(long value) {
      return new Spec(device, psid, version, value, secure, forbidden);
    }

    public Spec withSecure(boolean value) {
      return new Spec(device, psid, version, securityVersion, value, forbidden);
    }

    public Spec withForbidden(List<FwVersion> value) {
      return new Spec(device, psid, version, securityVersion, secure, value);
    }
  }

  /**
   * The image description for {@code spec}: reserved signature, key and forbidden sections, in the
   * device's own format (FS3 for ConnectX-4 / 4 Lx, whose specs have security version 0).
   */
  public static ImageDescription description(Spec spec) {
    ImageDescription.Builder builder =
        ImageDescription.builder(spec.device(), spec.version())
            .format(spec.device().nativeFormat())
            .psid(spec.psid())
            .securityVersion(spec.securityVersion())
            .reserve(
                ReservedSection.IMAGE_SIGNATURE_256,
                ReservedSection.PUBLIC_KEYS_2048,
                ReservedSection.FORBIDDEN_VERSIONS);
    if (spec.secure()) {
      builder
          .flag(ImageInfoFlag.MCC_EN, true)
          .flag(ImageInfoFlag.SECURE_FW, true)
          .flag(ImageInfoFlag.SIGNED_FW, true);
    }
    if (!spec.forbidden().isEmpty()) {
      builder.forbiddenVersions(
          new ForbiddenVersions(
              spec.forbidden().stream().map(ForbiddenVersions.Range::of).toList()));
    }
    return builder.build();
  }

  /**
   * Builds the image and provisions {@code trusted} as its PUBLIC_KEYS_2048 key (the key a device
   * running this image trusts). The result is unsigned.
   */
  public static void buildUnsigned(Spec spec, PublicKeysFile.Key trusted, Path out)
      throws IOException {
    Path built = Files.createTempFile(out.toAbsolutePath().getParent(), ".kiln-build", ".bin");
    try {
      ImageWriter.write(description(spec), built, true);
      Fs4Image image = ImageParser.parse(built);
      Section keys =
          image.section(SectionType.PUBLIC_KEYS_2048)
              .orElseThrow(() -> new IOException("the writer reserved no PUBLIC_KEYS_2048"));
      byte[] keysFile = PublicKeysFile.encode(List.of(trusted), (int) keys.size());
      try (Fs4ImageSigner.PreparedImage prepared =
          Fs4ImageSigner.setPublicKeys(built, out, keysFile)) {
        prepared.commit();
      }
    } catch (dev.kiln.inspector.build.InvalidDescriptionException e) {
      throw new IOException("invalid image description: " + e.getMessage(), e);
    } catch (ImageSigningException e) {
      throw new IOException("cannot provision the public key: " + e.getMessage(), e);
    } finally {
      Files.deleteIfExists(built);
    }
  }

  /** Signs {@code in} into {@code out} (IMAGE_SIGNATURE_256 with an RSA-2048 key). */
  public static void sign(Path in, Path out, SigningService key, KeyUuid uuid)
      throws IOException, KeyAccessException, ImageSigningException {
    try (Fs4ImageSigner.PreparedImage prepared =
        Fs4ImageSigner.sign(in, out, List.of(new Fs4ImageSigner.SigningKey(key, uuid)))) {
      prepared.commit();
    }
  }
}
