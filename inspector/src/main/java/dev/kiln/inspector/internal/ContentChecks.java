package dev.kiln.inspector.internal;

import dev.kiln.inspector.Finding;
import dev.kiln.inspector.FindingCode;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageFormat;
import dev.kiln.inspector.Section;
import dev.kiln.inspector.format.Dwords;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.format.TocHeader;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The checks of mstflint's verify that look inside sections (fs4-format.md §17 #19, #22–24):
 * IMAGE_INFO version and supported HW id, MFG_INFO and DEV_INFO versions, MFG_INFO presence and
 * exactly one valid DEV_INFO. Only the handful of fields these checks need are read here; the full
 * decoders live in {@code dev.kiln.inspector.section}.
 */
public final class ContentChecks {
  /** "mDevInfo" + the fixed tail: what makes a DEV_INFO copy valid. */
  private static final int[] DEV_INFO_SIGNATURE = {0x6D446576, 0x496E666F, 0x2342CAFA, 0xBACAFE00};

  /**
   * HW device ids mstflint knows (its device table); supported_hw_id[0] of IMAGE_INFO must be one
   * of them. Only the low 16 bits count (the revision is masked off).
   */
  private static final Set<Integer> KNOWN_HW_IDS =
      Set.of(501, 503, 511, 521, 523, 525, 527, 529, 530, 532, 534, 536, 540, 542, 544, 546, 548,
          552, 583, 585, 587, 589, 590, 592, 594, 595, 596, 598, 599, 603, 624, 628, 632, 45568);

  private ContentChecks() {}

  /** Appends the content findings for {@code image} to {@code findings}. */
  public static void run(Fs4Image image, List<Finding> findings) {
    ByteBuffer bytes = image.bytes();
    checkImageInfo(image, bytes, findings);
    boolean fs3 = image.format() == ImageFormat.FS3;
    List<Section> device = image.deviceDataSections();
    boolean mfgFound = false;
    int validDevInfo = 0;
    for (Section section : device) {
      if (!section.inBounds() || !section.entry().entryCrcOk()) {
        continue;
      }
      int offset = (int) section.offset();
      int size = (int) section.size();
      if (section.is(SectionType.MFG_INFO)) {
        mfgFound = true;
        if (size >= 0x20) {
          int major = Dwords.get(bytes, offset + 0x1C) >>> 24;
          if (major > 1) {
            findings.add(Finding.of(FindingCode.MFG_INFO_VERSION, offset, "MFG_INFO",
                "MFG_INFO major version " + major + " is not supported (0 or 1)"));
          }
        }
      } else if (section.is(SectionType.DEV_INFO)
          && (fs3 || hasDevInfoSignature(bytes, offset, size))) {
        // FS3: every DEV_INFO is decoded, signature or not (Fs3Operations::GetDevInfo).
        validDevInfo++;
        int major = size >= 0x14 ? (Dwords.get(bytes, offset + 0x10) >>> 8) & 0x1FF : 0;
        if (major != 1 && major != 2) {
          findings.add(Finding.of(FindingCode.DEV_INFO_VERSION, offset, "DEV_INFO",
              "DEV_INFO major version " + major + " is not supported (1 or 2)"));
        }
      }
    }
    long dtocAt = image.dtoc().map(t -> t.headerOffset()).orElse(-1L);
    if (fs3) {
      if (image.itoc().isPresent() && !mfgFound) {
        findings.add(Finding.of(FindingCode.MFG_INFO_MISSING,
            image.itoc().get().headerOffset(), "MFG_INFO",
            "no MFG_INFO section in the ITOC (mstflint: No \"MFG_INFO\" info section)"));
      }
      return; // FS3 has no rule on the number of DEV_INFO sections
    }
    if (image.dtoc().isPresent() && !mfgFound) {
      findings.add(Finding.of(FindingCode.MFG_INFO_MISSING, dtocAt, "MFG_INFO",
          "no MFG_INFO section in the DTOC"));
    }
    if (image.dtoc().isPresent() && validDevInfo == 0) {
      findings.add(Finding.of(FindingCode.DEV_INFO_MISSING, dtocAt, "DEV_INFO",
          "no DEV_INFO section with a valid signature in the DTOC"));
    }
    if (validDevInfo > 1) {
      findings.add(Finding.of(FindingCode.DEV_INFO_DUPLICATE, dtocAt, "DEV_INFO",
          validDevInfo + " DEV_INFO sections carry a valid signature; exactly one must"));
    }
  }

  private static void checkImageInfo(Fs4Image image, ByteBuffer bytes, List<Finding> findings) {
    Optional<Section> info =
        image.itoc().flatMap(t -> t.sections().stream()
            .filter(s -> s.is(SectionType.IMAGE_INFO) && s.inBounds() && s.entry().entryCrcOk())
            .findFirst());
    if (info.isEmpty() || info.get().table() != TocHeader.Kind.ITOC) {
      return; // IMAGE_INFO is optional for verify (fs4-format.md §11)
    }
    int offset = (int) info.get().offset();
    int size = (int) info.get().size();
    if (size < 0x128) {
      findings.add(Finding.of(FindingCode.IMAGE_INFO_INVALID, offset, "IMAGE_INFO",
          String.format("IMAGE_INFO is 0x%x bytes, too short for supported_hw_id", size)));
      return;
    }
    int major = Dwords.get(bytes, offset) >>> 24;
    if (major != 0) {
      findings.add(Finding.of(FindingCode.IMAGE_INFO_INVALID, offset, "IMAGE_INFO",
          "IMAGE_INFO major version " + major + " is not supported (must be 0)"));
    }
    int hwId = Dwords.get(bytes, offset + 0x118);
    if (!KNOWN_HW_IDS.contains(hwId & 0xFFFF)) {
      findings.add(Finding.of(FindingCode.IMAGE_INFO_INVALID, offset + 0x118, "IMAGE_INFO",
          String.format("supported_hw_id[0] 0x%x is not a known device", hwId)));
    }
  }

  /** True when a DEV_INFO body starts with the "mDevInfo" signature. */
  public static boolean hasDevInfoSignature(ByteBuffer bytes, int offset, int size) {
    if (size < 16) {
      return false;
    }
    for (int i = 0; i < 4; i++) {
      if (Dwords.get(bytes, offset + 4 * i) != DEV_INFO_SIGNATURE[i]) {
        return false;
      }
    }
    return true;
  }
}
