package dev.kiln.emulator.internal;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageFormatException;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.Section;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ImageInfo;
import dev.kiln.inspector.section.ImageInfoFlag;
import dev.kiln.inspector.section.SectionFormatException;
import dev.kiln.signer.fs4.TrustStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the device needs to know about one FS4 image, read once: IMAGE_INFO, the security version,
 * the keys it trusts, the versions it forbids, and the raw policy sections (kept as the trust
 * anchor a device in recovery uses).
 *
 * @param image the parsed image (a view of the bytes it was parsed from)
 * @param info IMAGE_INFO, empty when the image has none or it cannot be decoded
 * @param size image size in bytes
 * @param trust the keys of its PUBLIC_KEYS_2048/4096 sections
 * @param forbidden the versions its FORBIDDEN_VERSIONS section lists (Kiln layout KFV1); none
 *     when the section is absent, blank or unreadable
 * @param policySections PUBLIC_KEYS_* and FORBIDDEN_VERSIONS sections as (type, body) pairs
 */
public record ImageFacts(
    Fs4Image image,
    Optional<ImageInfo> info,
    int size,
    TrustStore trust,
    ForbiddenVersions forbidden,
    List<PolicySection> policySections) {

  /** One raw policy section. */
  public record PolicySection(int type, byte[] body) {
    public PolicySection {
      body = body.clone();
    }

    @Override
    public byte[] body() {
      return body.clone();
    }
  }

  public ImageFacts {
    policySections = List.copyOf(policySections);
  }

  /**
   * Parses {@code bytes} (not copied: the caller keeps them unchanged while the facts are used).
   *
   * @throws ImageFormatException when the bytes are not an FS4 image
   */
  public static ImageFacts read(ByteBuffer bytes, String source) throws ImageFormatException {
    Fs4Image image = ImageParser.parse(bytes, source);
    Optional<ImageInfo> info = Optional.empty();
    Optional<Section> infoSection = image.section(SectionType.IMAGE_INFO);
    if (infoSection.isPresent() && infoSection.get().inBounds()) {
      try {
        info = Optional.of(ImageInfo.decode(image.bodyBytes(infoSection.get())));
      } catch (SectionFormatException e) {
        info = Optional.empty();
      }
    }
    List<PolicySection> policy = new ArrayList<>();
    for (SectionType type :
        List.of(
            SectionType.PUBLIC_KEYS_2048,
            SectionType.PUBLIC_KEYS_4096,
            SectionType.FORBIDDEN_VERSIONS)) {
      for (Section section : image.sectionsOf(type)) {
        if (section.inBounds()) {
          policy.add(new PolicySection(section.type(), image.bodyBytes(section)));
        }
      }
    }
    return new ImageFacts(
        image,
        info,
        (int) image.size(),
        TrustStore.fromImage(image),
        forbiddenVersions(image),
        policy);
  }

  private static ForbiddenVersions forbiddenVersions(Fs4Image image) {
    Optional<Section> section = image.section(SectionType.FORBIDDEN_VERSIONS);
    if (section.isEmpty() || !section.get().inBounds()) {
      return ForbiddenVersions.NONE;
    }
    try {
      return ForbiddenVersions.decode(image.bodyBytes(section.get()));
    } catch (SectionFormatException e) {
      return ForbiddenVersions.NONE;
    }
  }

  /** The FW version, or 0.0.0 when the image has no IMAGE_INFO. */
  public FwVersion version() {
    return info.map(ImageInfo::fwVersion).orElse(new FwVersion(0, 0, 0));
  }

  public String psid() {
    return info.map(ImageInfo::psid).orElse("");
  }

  public long securityVersion() {
    return image.securityVersion();
  }

  public boolean has(ImageInfoFlag flag) {
    return info.map(i -> i.has(flag)).orElse(false);
  }

  /** True when the image lists {@code hwId} among its supported HW ids. */
  public boolean supportsHwId(int hwId) {
    return info.map(i -> i.supportedHwIds().contains(hwId)).orElse(false);
  }

  /** True when the image has an IMAGE_SIGNATURE_256 or _512 section. */
  public boolean hasSignatureSection() {
    return image.section(SectionType.IMAGE_SIGNATURE_256).isPresent()
        || image.section(SectionType.IMAGE_SIGNATURE_512).isPresent();
  }

  /** True when the image has a PUBLIC_KEYS_2048 or _4096 section. */
  public boolean hasPublicKeys() {
    return image.section(SectionType.PUBLIC_KEYS_2048).isPresent()
        || image.section(SectionType.PUBLIC_KEYS_4096).isPresent();
  }
}
