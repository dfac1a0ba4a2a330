package dev.kiln.emulator;

import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.build.ReservedSection;
import dev.kiln.inspector.format.Fs4Magic;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ImageInfoFlag;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.SigningServices;
import dev.kiln.signer.fs4.Fs4ImageSigner;
import dev.kiln.signer.fs4.KeyUuid;
import dev.kiln.signer.fs4.SampleKeyProvisioning;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/**
 * Real images for the emulator tests: built with the inspector's {@link ImageWriter}, given public
 * keys and signed with the signer's {@link Fs4ImageSigner} using the sample keys (NOT FOR
 * PRODUCTION).
 */
final class TestImages {
  static final String PSID = "MT_0000000436";
  static final DeviceType DEVICE = DeviceType.CX6DX;
  static final KeyUuid TRUSTED_UUID = SampleKeyProvisioning.SAMPLE_UUID;
  static final KeyUuid OTHER_UUID = KeyUuid.parse("00112233445566778899aabbccddeeff");

  /** How to sign. */
  enum Signer {
    /** The sample RSA-2048 key under the UUID the image trusts. */
    TRUSTED,
    /** The sample RSA-2048 key under a UUID nobody trusts. */
    UNKNOWN_UUID,
    /** A fresh RSA-2048 key under the trusted UUID: the signature cannot verify. */
    WRONG_KEY,
    /** Not signed at all. */
    NONE
  }

  /** What to build. */
  record Spec(
      FwVersion version,
      String psid,
      DeviceType device,
      long securityVersion,
      Set<ImageInfoFlag> flags,
      ForbiddenVersions forbidden,
      Signer signer,
      long imageSize) {
    Spec withVersion(int major, int minor, int subminor) {
      return new Spec(new FwVersion(major, minor, subminor), psid, device, securityVersion, flags,
          forbidden, signer, imageSize);
    }

    Spec withPsid(String value) {
      return new Spec(version, value, device, securityVersion, flags, forbidden, signer, imageSize);
    }

    Spec withDevice(DeviceType value) {
      return new Spec(version, psid, value, securityVersion, flags, forbidden, signer, imageSize);
    }

    Spec withSecurityVersion(long value) {
      return new Spec(version, psid, device, value, flags, forbidden, signer, imageSize);
    }

    Spec withFlags(Set<ImageInfoFlag> value) {
      return new Spec(version, psid, device, securityVersion, value, forbidden, signer, imageSize);
    }

    Spec withForbidden(ForbiddenVersions value) {
      return new Spec(version, psid, device, securityVersion, flags, value, signer, imageSize);
    }

    Spec withSigner(Signer value) {
      return new Spec(version, psid, device, securityVersion, flags, forbidden, value, imageSize);
    }

    Spec withImageSize(long value) {
      return new Spec(version, psid, device, securityVersion, flags, forbidden, signer, value);
    }
  }

  static Spec spec(int major, int minor, int subminor) {
    return new Spec(
        new FwVersion(major, minor, subminor),
        PSID,
        DEVICE,
        0,
        EnumSet.of(
            ImageInfoFlag.MCC_EN, ImageInfoFlag.LONG_KEYS, ImageInfoFlag.SIGNED_FW,
            ImageInfoFlag.SECURE_FW),
        ForbiddenVersions.NONE,
        Signer.TRUSTED,
        ImageDescription.DEFAULT_IMAGE_SIZE);
  }

  private TestImages() {}

  private static final java.util.Map<Spec, byte[]> CACHE =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Builds, provisions keys and signs one image in {@code work}; returns its bytes. Images are
   * cached per spec for the whole test run (building and signing is the slow part of the suite).
   */
  static byte[] build(Path work, Spec spec) throws Exception {
    byte[] cached = CACHE.get(spec);
    if (cached == null) {
      cached = buildUncached(work, spec);
      CACHE.put(spec, cached);
    }
    return cached.clone();
  }

  private static byte[] buildUncached(Path work, Spec spec) throws Exception {
    Files.createDirectories(work);
    Path raw = Files.createTempFile(work, "raw", ".bin");
    ImageDescription description =
        ImageDescription.builder(spec.device(), spec.version())
            .psid(spec.psid())
            .partNumber("MCX623106AN-CDAT")
            .description("ConnectX-6 Dx EN adapter card (emulated)")
            .productVersion(spec.version().toString())
            .vsd("kiln emulator test image")
            .securityVersion(spec.securityVersion())
            .flags(spec.flags())
            .imageSize(spec.imageSize())
            .reserve(
                ReservedSection.IMAGE_SIGNATURE_256,
                ReservedSection.PUBLIC_KEYS_2048,
                ReservedSection.FORBIDDEN_VERSIONS)
            .forbiddenVersions(spec.forbidden())
            .build();
    ImageWriter.write(description, raw, true);
    Path withKeys = Files.createTempFile(work, "keys", ".bin");
    SampleKeyProvisioning.provisionSampleKey(raw, withKeys);
    if (spec.signer() == Signer.NONE) {
      return Files.readAllBytes(withKeys);
    }
    Path signed = Files.createTempFile(work, "signed", ".bin");
    KeyUuid uuid = spec.signer() == Signer.UNKNOWN_UUID ? OTHER_UUID : TRUSTED_UUID;
    SampleKeyProvisioning.sign(withKeys, signed, signingService(work, spec.signer()), uuid);
    return Files.readAllBytes(signed);
  }

  private static SigningService signingService(Path work, Signer signer) throws Exception {
    if (signer == Signer.WRONG_KEY) {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair pair = generator.generateKeyPair();
      String pem =
          "-----BEGIN PRIVATE KEY-----\n"
              + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                  .encodeToString(pair.getPrivate().getEncoded())
              + "\n-----END PRIVATE KEY-----\n";
      Path key = Files.createTempFile(work, "wrong", ".pem");
      Files.writeString(key, pem, StandardCharsets.US_ASCII);
      return SigningServices.open("file:" + key, KeyOptions.defaults());
    }
    return SampleKeyProvisioning.openSampleKey(work);
  }

  /**
   * The whole image as a component, the magic pattern set to 0xFF (§2.6 step 11). A device takes it
   * as it takes the shorter component the burner sends ({@code inspector.UpdateComponent}); these
   * tests exercise the device's checks, not the host's choice of bytes.
   */
  static byte[] component(byte[] image) {
    byte[] component = image.clone();
    Fs4Magic.mask(component, 0);
    return component;
  }

  /** A device identity matching the test images. */
  static DeviceIdentity identity() {
    return new DeviceIdentity(DEVICE, PSID, 0x0002C9ABCDEFL, 4L << 20, 0);
  }
}
