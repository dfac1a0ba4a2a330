package dev.kiln.inspector;

import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.format.TocHeader;
import dev.kiln.inspector.section.DevInfo;
import dev.kiln.inspector.section.ExpansionRoms;
import dev.kiln.inspector.section.ImageInfo;
import dev.kiln.inspector.section.ImageSignature;
import dev.kiln.inspector.section.MfgInfo;
import dev.kiln.inspector.section.PublicKeys;
import dev.kiln.inspector.section.RsaPublicKey;
import dev.kiln.inspector.section.SectionFormatException;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code mstflint -i IMG query full} reports about an image, decoded from its sections
 * (fs4-format.md §11, §12, §15). Text fields are formatted the way mstflint prints them; a field is
 * null when mstflint would print nothing for it (no IMAGE_INFO, IMAGE_INFO minor version below 3
 * for the name fields, empty product version...).
 *
 * @param format always {@code FS4}
 * @param imageInfo the decoded IMAGE_INFO, or null
 * @param fwVersion e.g. {@code 22.41.1000}
 * @param releaseDate e.g. {@code 15.6.2023}
 * @param psid IMAGE_INFO PSID ({@code ""} without IMAGE_INFO, like mstflint)
 * @param partNumber IMAGE_INFO name (minor version 3 only), null when empty (mstflint then prints
 *     no "Part Number" line)
 * @param description IMAGE_INFO description (minor version 3 only), null when empty
 * @param prsName IMAGE_INFO PRS name (minor version 3 only), null when empty
 * @param productVersion product version, null when empty
 * @param imageVsd IMAGE_INFO VSD, null when empty
 * @param deviceVsd DEV_INFO VSD, null when empty
 * @param origPsid MFG_INFO PSID when it differs from the image PSID (first 13 characters)
 * @param mfgInfo decoded MFG_INFO, or null
 * @param devInfo the valid DEV_INFO copy, or null
 * @param supportedHwIds the non-zero supported_hw_id entries
 * @param signatures the decoded signature sections
 * @param publicKeys the decoded public-key sections
 * @param rsaPublicKey the decoded RSA_PUBLIC_KEY section (secure boot), or null
 * @param securityAttributes the security attributes and update method
 * @param securityVersion the FW security version (HW pointer 13) as mstflint prints it (%d)
 * @param expansionRoms the ROMs of the (last) ROM_CODE section, or null when there is no non-empty
 *     one (mstflint then prints no "Rom Info" line)
 */
public record ImageSummary(
    String format,
    ImageInfo imageInfo,
    String fwVersion,
    String releaseDate,
    String psid,
    String partNumber,
    String description,
    String prsName,
    String productVersion,
    String imageVsd,
    String deviceVsd,
    String origPsid,
    MfgInfo mfgInfo,
    DevInfo devInfo,
    List<Integer> supportedHwIds,
    List<ImageSignature> signatures,
    List<PublicKeys> publicKeys,
    RsaPublicKey rsaPublicKey,
    SecurityAttributes securityAttributes,
    int securityVersion,
    ExpansionRoms expansionRoms) {

  public ImageSummary {
    supportedHwIds = List.copyOf(supportedHwIds);
    signatures = List.copyOf(signatures);
    publicKeys = List.copyOf(publicKeys);
  }

  /**
   * Decodes the summary of {@code image}. Sections that cannot be decoded (too short) are left
   * out; structural verification reports why.
   */
  public static ImageSummary of(Fs4Image image) {
    ImageInfo info = null;
    for (Section section : itocSections(image, SectionType.IMAGE_INFO)) {
      try {
        info = ImageInfo.decode(image.body(section));
      } catch (SectionFormatException e) {
        continue;
      }
      break;
    }
    MfgInfo mfg = null;
    DevInfo dev = null;
    boolean fs3 = image.format() == ImageFormat.FS3;
    for (Section section : image.deviceDataSections()) {
      if (!section.inBounds()) {
        continue;
      }
      try {
        if (section.is(SectionType.MFG_INFO) && mfg == null) {
          mfg = MfgInfo.decode(image.body(section));
        } else if (section.is(SectionType.DEV_INFO) && dev == null) {
          DevInfo decoded = DevInfo.decode(image.body(section));
          if (fs3 || decoded.signatureValid()) { // FS3 decodes DEV_INFO without a signature
            dev = decoded;
          }
        }
      } catch (SectionFormatException e) {
        // too short to decode: verification reports the section
      }
    }
    List<ImageSignature> signatures = new ArrayList<>();
    boolean signaturePresent = false;
    for (ImageSignature.Kind kind : ImageSignature.Kind.values()) {
      for (Section section : itocSections(image, kind.sectionType())) {
        signaturePresent = true;
        try {
          signatures.add(ImageSignature.decode(kind, image.body(section)));
        } catch (SectionFormatException e) {
          // present but undecodable: still counts as present, as in mstflint
        }
      }
    }
    List<PublicKeys> keys = new ArrayList<>();
    boolean keysPresent = false;
    for (PublicKeys.Kind kind : PublicKeys.Kind.values()) {
      for (Section section : itocSections(image, kind.sectionType())) {
        keysPresent = true;
        try {
          keys.add(PublicKeys.decode(kind, image.body(section)));
        } catch (SectionFormatException e) {
          // present but undecodable
        }
      }
    }
    RsaPublicKey rsaKey = null;
    for (Section section : itocSections(image, SectionType.RSA_PUBLIC_KEY)) {
      try {
        rsaKey = RsaPublicKey.decode(image.body(section));
      } catch (SectionFormatException e) {
        continue;
      }
      break;
    }
    boolean named = info != null && info.minorVersion() == ImageInfo.MINOR_VERSION_3;
    String psid = info == null ? "" : info.psid();
    String origPsid = null;
    if (mfg != null && !prefix(mfg.psid(), 13).equals(prefix(psid, 13))) {
      origPsid = mfg.psid();
    }
    List<Integer> hwIds = new ArrayList<>();
    if (info != null) {
      info.supportedHwIds().stream().filter(id -> id != 0).forEach(hwIds::add);
    }
    return new ImageSummary(
        image.format().name(),
        info,
        info == null ? null : info.fwVersion().toString(),
        info == null ? null : info.releaseDate().toString(),
        psid,
        named ? emptyToNull(info.name()) : null,
        named ? emptyToNull(info.description()) : null,
        named ? emptyToNull(info.prsName()) : null,
        info == null ? null : emptyToNull(info.productVersion()),
        info == null ? null : emptyToNull(info.vsd()),
        dev == null ? null : emptyToNull(dev.vsd()),
        origPsid,
        mfg,
        dev,
        hwIds,
        signatures,
        keys,
        rsaKey,
        SecurityAttributes.compute(info, signaturePresent, keysPresent, signatures),
        (int) image.securityVersion(),
        expansionRoms(image));
  }

  /** mstflint reads every ROM_CODE section in turn; what the last one holds is what it shows. */
  private static ExpansionRoms expansionRoms(Fs4Image image) {
    List<Section> roms = itocSections(image, SectionType.ROM_CODE);
    if (roms.isEmpty() || roms.get(roms.size() - 1).size() == 0) {
      return null;
    }
    java.nio.ByteBuffer body = image.body(roms.get(roms.size() - 1));
    byte[] bytes = new byte[body.remaining()];
    body.get(bytes);
    return ExpansionRoms.decode(bytes);
  }

  /** In-bounds ITOC sections of {@code type}, in entry order. */
  private static List<Section> itocSections(Fs4Image image, SectionType type) {
    return image.sections().stream()
        .filter(s -> s.table() == TocHeader.Kind.ITOC && s.is(type) && s.inBounds())
        .toList();
  }

  private static String prefix(String text, int length) {
    return text.length() <= length ? text : text.substring(0, length);
  }

  private static String emptyToNull(String text) {
    return text == null || text.isEmpty() ? null : text;
  }
}
