package dev.kiln.burner.e2e;

import dev.kiln.emulator.DeviceIdentity;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.build.ReservedSection;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ImageInfoFlag;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.fs4.KeyUuid;
import dev.kiln.signer.fs4.SampleKeyProvisioning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Real images for the burner tests: written by the inspector's {@link ImageWriter}, given the
 * sample RSA-2048 public key (NOT FOR PRODUCTION) and signed with it by the signer, exactly as
 * {@code kiln build} and {@code kiln sign} make them.
 */
public final class BurnerImages {
  public static final String PSID = "MT_0000000436";
  public static final DeviceType DEVICE = DeviceType.CX6DX;
  public static final KeyUuid TRUSTED_UUID = SampleKeyProvisioning.SAMPLE_UUID;
  public static final KeyUuid UNTRUSTED_UUID = KeyUuid.parse("00112233445566778899aabbccddeeff");
  /** Small images keep the suite fast; the bench uses 32 MiB. */
  public static final long SMALL = 256 * 1024;

  private BurnerImages() {}

  /**
   * What to build.
   *
   * @param signer the key UUID to sign under (null: unsigned)
   */
  public record Spec(
      FwVersion version,
      String psid,
      DeviceType device,
      long securityVersion,
      Set<ImageInfoFlag> flags,
      ForbiddenVersions forbidden,
      KeyUuid signer,
      long size) {
    public Spec withPsid(String value) {
      return new Spec(version, value, device, securityVersion, flags, forbidden, signer, size);
    }

    public Spec withDevice(DeviceType value) {
      return new Spec(version, psid, value, securityVersion, flags, forbidden, signer, size);
    }

    public Spec withSecurityVersion(long value) {
      return new Spec(version, psid, device, value, flags, forbidden, signer, size);
    }

    public Spec withForbidden(ForbiddenVersions value) {
      return new Spec(version, psid, device, securityVersion, flags, value, signer, size);
    }

    public Spec withSigner(KeyUuid value) {
      return new Spec(version, psid, device, securityVersion, flags, forbidden, value, size);
    }

    public Spec withFlags(Set<ImageInfoFlag> value) {
      return new Spec(version, psid, device, securityVersion, value, forbidden, signer, size);
    }

    public Spec withSize(long value) {
      return new Spec(version, psid, device, securityVersion, flags, forbidden, signer, value);
    }
  }

  /** A signed secure-FW image of {@code version} for the test device. */
  public static Spec spec(String version) {
    return new Spec(
        FwVersion.parse(version),
        PSID,
        DEVICE,
        1,
        EnumSet.of(
            ImageInfoFlag.MCC_EN, ImageInfoFlag.LONG_KEYS, ImageInfoFlag.SIGNED_FW,
            ImageInfoFlag.SECURE_FW),
        ForbiddenVersions.NONE,
        TRUSTED_UUID,
        SMALL);
  }

  /** Builds, provisions the sample public key and signs; returns the image file. */
  public static Path build(Path work, Spec spec) throws Exception {
    return build(work, spec, UnaryOperator.identity());
  }

  /**
   * Like {@link #build(Path, Spec)}, with {@code customize} applied to the description last (to
   * give an image another part number, description or release date).
   */
  public static Path build(Path work, Spec spec, UnaryOperator<ImageDescription.Builder> customize)
      throws Exception {
    Files.createDirectories(work);
    Path raw = Files.createTempFile(work, "raw", ".bin");
    ImageDescription.Builder builder =
        ImageDescription.builder(spec.device(), spec.version())
            .psid(spec.psid())
            .partNumber("MCX623106AN-CDAT")
            .description("ConnectX-6 Dx EN adapter card (burner test)")
            .productVersion(spec.version().toString())
            .securityVersion(spec.securityVersion())
            .flags(spec.flags())
            .imageSize(spec.size())
            .reserve(
                ReservedSection.IMAGE_SIGNATURE_256,
                ReservedSection.PUBLIC_KEYS_2048,
                ReservedSection.FORBIDDEN_VERSIONS)
            .forbiddenVersions(spec.forbidden());
    ImageDescription description = customize.apply(builder).build();
    ImageWriter.write(description, raw, true);
    Path withKeys = Files.createTempFile(work, "keys", ".bin");
    SampleKeyProvisioning.provisionSampleKey(raw, withKeys);
    Files.delete(raw);
    if (spec.signer() == null) {
      return withKeys;
    }
    Path signed = Files.createTempFile(work, "signed-" + spec.version(), ".bin");
    try (SigningService key = SampleKeyProvisioning.openSampleKey(work)) {
      SampleKeyProvisioning.sign(withKeys, signed, key, spec.signer());
    }
    Files.delete(withKeys);
    return signed;
  }

  /** A device identity matching the images. */
  public static DeviceIdentity identity() {
    return new DeviceIdentity(DEVICE, PSID, 0x0002C9ABCDEFL, 2L << 20, 0);
  }

  /** Creates an emulated device directory running {@code image}. */
  public static Path device(Path dir, Path image) throws Exception {
    EmulatedDevice.create(dir, identity(), Files.readAllBytes(image));
    return dir;
  }
}
