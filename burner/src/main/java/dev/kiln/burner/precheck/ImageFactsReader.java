package dev.kiln.burner.precheck;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageVerifier;
import dev.kiln.inspector.Section;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ImageInfo;
import dev.kiln.inspector.section.ImageInfoFlag;
import dev.kiln.inspector.section.SectionFormatException;
import dev.kiln.signer.fs4.ImageSignatureVerifier;
import dev.kiln.signer.fs4.ImageSigningException;
import dev.kiln.signer.fs4.KeyUuid;
import dev.kiln.signer.fs4.SignatureReport;
import dev.kiln.signer.fs4.TrustStore;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the {@link ImageFacts} of a parsed FS4 image: IMAGE_INFO (PSID, version, supported HW ids,
 * security flags), the security version (HW pointer 13), the key UUIDs of its signature
 * sections, the keys of its own PUBLIC_KEYS sections and the errors of {@code kiln verify}'s
 * structural verification ({@link ImageVerifier}) of the same bytes. Signatures are checked lazily, against whichever key the device profile names, with
 * the signer's {@link ImageSignatureVerifier}.
 */
public final class ImageFactsReader {
  private ImageFactsReader() {}

  /**
   * The facts of {@code image}.
   *
   * @throws SectionFormatException when the image has no readable IMAGE_INFO
   */
  public static ImageFacts read(Fs4Image image) throws SectionFormatException {
    Section infoSection =
        image
            .section(SectionType.IMAGE_INFO)
            .orElseThrow(() -> new SectionFormatException(image.source() + " has no IMAGE_INFO"));
    ImageInfo info = ImageInfo.decode(image.body(infoSection));
    List<String> keyUuids = new ArrayList<>();
    try {
      for (SignatureReport.Entry entry :
          ImageSignatureVerifier.verify(image, TrustStore.empty()).entries()) {
        if (entry.status().isSignature() && entry.keyUuid().isPresent()) {
          keyUuids.add(entry.keyUuid().get().toString());
        }
      }
    } catch (ImageSigningException e) {
      // An image whose layout the signer cannot handle carries no usable signature.
      keyUuids.clear();
    }
    List<TrustedKey> imageKeys = new ArrayList<>();
    boolean imageKeysKnown = true;
    try {
      for (TrustStore.TrustedKey key : TrustStore.fromImage(image).keys()) {
        if (key.uuid().isPresent()) {
          imageKeys.add(new TrustedKey(key.uuid().get().toString(), key.key().getEncoded()));
        }
      }
    } catch (RuntimeException e) {
      // A PUBLIC_KEYS section this build cannot decode: say so rather than claim "no keys".
      imageKeysKnown = false;
      imageKeys.clear();
    }
    List<String> structureErrors = new ArrayList<>();
    for (dev.kiln.inspector.Finding finding : ImageVerifier.verify(image).errors()) {
      structureErrors.add(finding.code() + ": " + finding.message());
    }
    return new ImageFacts(
        info.psid(),
        info.supportedHwIds(),
        info.fwVersion(),
        (int) image.securityVersion(),
        info.has(ImageInfoFlag.MCC_EN),
        info.has(ImageInfoFlag.SECURE_FW),
        keyUuids,
        (uuid, der) -> verifies(image, uuid, der),
        imageKeys,
        imageKeysKnown,
        structureErrors,
        image.format());
  }

  private static boolean verifies(Fs4Image image, String uuid, byte[] publicKeyDer) {
    try {
      RSAPublicKey key =
          (RSAPublicKey)
              KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(publicKeyDer));
      TrustStore trust =
          TrustStore.of(
              List.of(
                  new TrustStore.TrustedKey(
                      key, Optional.of(KeyUuid.parse(uuid)), "device key " + uuid)));
      SignatureReport report = ImageSignatureVerifier.verify(image, trust);
      return report.entries().stream()
          .anyMatch(entry -> entry.status() == SignatureReport.Status.VERIFIED);
    } catch (java.security.GeneralSecurityException | ImageSigningException
        | IllegalArgumentException | ClassCastException e) {
      return false;
    }
  }

  /** A range spanning more versions than this is listed by its two ends only. */
  static final int MAX_EXPANDED_RANGE = 4096;

  /**
   * The versions the image's FORBIDDEN_VERSIONS section (Kiln's KFV1 layout) forbids, as a list:
   * single versions as they are, and ranges within one major.minor expanded when they span at most
   * {@value #MAX_EXPANDED_RANGE} subminors (wider ranges are listed by their two ends). An image
   * without the section forbids nothing; a section this build cannot decode gives empty.
   */
  public static Optional<List<FwVersion>> forbiddenVersions(Fs4Image image) {
    Optional<Section> section = image.section(SectionType.FORBIDDEN_VERSIONS);
    if (section.isEmpty()) {
      return Optional.of(List.of());
    }
    ForbiddenVersions decoded;
    try {
      decoded = ForbiddenVersions.decode(image.bodyBytes(section.get()));
    } catch (SectionFormatException e) {
      return Optional.empty();
    }
    List<FwVersion> versions = new ArrayList<>();
    for (ForbiddenVersions.Range range : decoded.ranges()) {
      FwVersion from = range.from();
      FwVersion to = range.to();
      boolean sameLine = from.major() == to.major() && from.minor() == to.minor();
      if (sameLine && to.subminor() - from.subminor() < MAX_EXPANDED_RANGE) {
        for (int subminor = from.subminor(); subminor <= to.subminor(); subminor++) {
          versions.add(new FwVersion(from.major(), from.minor(), subminor));
        }
      } else {
        versions.add(from);
        versions.add(to);
      }
    }
    return Optional.of(List.copyOf(versions));
  }
}
