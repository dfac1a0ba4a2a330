package dev.kiln.inspector.build;

import dev.kiln.inspector.ImageFormat;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ImageInfoFlag;
import dev.kiln.inspector.section.ReleaseDate;
import dev.kiln.inspector.section.UidEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link ImageWriter} builds: the facts that go into IMAGE_INFO, the HW pointers and the
 * device data, the image size, and the sections. Values are checked by {@link
 * ImageWriter#plan(ImageDescription)}, which reports the first problem as one line; the record
 * itself only refuses nulls.
 *
 * @param device the adapter (IMAGE_INFO supported_hw_id[0] and PCI ids)
 * @param fwVersion FW version
 * @param releaseDate release date as stored (BCD-looking)
 * @param psid PSID (IMAGE_INFO and MFG_INFO), up to 16 characters
 * @param partNumber IMAGE_INFO name, printed as "Part Number", up to 64 characters
 * @param description IMAGE_INFO description, up to 256 characters
 * @param productVersion IMAGE_INFO prod_ver, up to 16 characters
 * @param prsName IMAGE_INFO prs_name, up to 128 characters
 * @param vsd IMAGE_INFO vsd ("Image VSD"), up to 208 characters
 * @param deviceVsd DEV_INFO vsd ("Device VSD"), up to 208 characters
 * @param securityVersion the FW security version (HW pointer 13), 0..0xFFFFFFFF
 * @param flags IMAGE_INFO flags (security bits, mcc_en, ...)
 * @param guids base GUID and count (MFG_INFO and DEV_INFO)
 * @param macs base MAC and count
 * @param imageSize file size: a multiple of 4 KiB, at least 48 KiB
 * @param log2SlotSize tools-area log2_img_slot_size, or 0 to let the writer choose
 * @param hashesTable write a secure-boot v2 hashes table (ConnectX-7/8 only)
 * @param boot2Dwords BOOT2 payload dword count (4..1048576)
 * @param sections the ITOC sections, in the order they are placed after IMAGE_INFO
 * @param reserved the security sections to reserve (empty) after the given sections
 * @param publicKeyEntries entries per reserved PUBLIC_KEYS section (≥ 2 so the section is at
 *     least the 0x220 bytes set_public_keys needs)
 * @param forbiddenVersions initial content of a reserved FORBIDDEN_VERSIONS section
 * @param forbiddenVersionsSize size of a reserved FORBIDDEN_VERSIONS section
 * @param format FS4 (every device) or FS3 (ConnectX-4 and ConnectX-4 Lx only)
 */
public record ImageDescription(
    DeviceType device,
    FwVersion fwVersion,
    ReleaseDate releaseDate,
    String psid,
    String partNumber,
    String description,
    String productVersion,
    String prsName,
    String vsd,
    String deviceVsd,
    long securityVersion,
    Set<ImageInfoFlag> flags,
    UidEntry guids,
    UidEntry macs,
    long imageSize,
    int log2SlotSize,
    boolean hashesTable,
    int boot2Dwords,
    List<SectionSpec> sections,
    Set<ReservedSection> reserved,
    int publicKeyEntries,
    ForbiddenVersions forbiddenVersions,
    int forbiddenVersionsSize,
    ImageFormat format) {

  /** Smallest image the writer builds (the smallest mstflint was shown to accept). */
  public static final long MIN_IMAGE_SIZE = 48 * 1024;

  /** Default image size. */
  public static final long DEFAULT_IMAGE_SIZE = 1 << 20;

  /** Default BOOT2 payload size in dwords (the research images' value). */
  public static final int DEFAULT_BOOT2_DWORDS = 0x1F0;

  public ImageDescription {
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(fwVersion, "fwVersion");
    Objects.requireNonNull(releaseDate, "releaseDate");
    Objects.requireNonNull(psid, "psid");
    Objects.requireNonNull(partNumber, "partNumber");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(productVersion, "productVersion");
    Objects.requireNonNull(prsName, "prsName");
    Objects.requireNonNull(vsd, "vsd");
    Objects.requireNonNull(deviceVsd, "deviceVsd");
    Objects.requireNonNull(guids, "guids");
    Objects.requireNonNull(macs, "macs");
    Objects.requireNonNull(forbiddenVersions, "forbiddenVersions");
    Objects.requireNonNull(format, "format");
    flags = flags.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(flags));
    reserved =
        reserved.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(reserved));
    sections = List.copyOf(sections);
  }

  /** A builder with the defaults documented on each setter. */
  public static Builder builder(DeviceType device, FwVersion fwVersion) {
    return new Builder(device, fwVersion);
  }

  /** True when {@code flag} is set. */
  public boolean has(ImageInfoFlag flag) {
    return flags.contains(flag);
  }

  /** True when {@code section} is reserved. */
  public boolean reserves(ReservedSection section) {
    return reserved.contains(section);
  }

  /** Builder for {@link ImageDescription}. */
  public static final class Builder {
    private DeviceType device;
    private FwVersion fwVersion;
    private ReleaseDate releaseDate = ReleaseDate.NONE;
    private String psid = "";
    private String partNumber = "";
    private String description = "";
    private String productVersion = "";
    private String prsName = "";
    private String vsd = "";
    private String deviceVsd = "";
    private long securityVersion;
    private Set<ImageInfoFlag> flags = EnumSet.of(ImageInfoFlag.MCC_EN, ImageInfoFlag.LONG_KEYS);
    private UidEntry guids = UidEntry.NONE;
    private UidEntry macs = UidEntry.NONE;
    private long imageSize = DEFAULT_IMAGE_SIZE;
    private int log2SlotSize;
    private boolean hashesTable;
    private int boot2Dwords = DEFAULT_BOOT2_DWORDS;
    private ImageFormat format = ImageFormat.FS4;
    private final List<SectionSpec> sections = new ArrayList<>();
    private Set<ReservedSection> reserved = EnumSet.noneOf(ReservedSection.class);
    private int publicKeyEntries = 8;
    private ForbiddenVersions forbiddenVersions = ForbiddenVersions.NONE;
    private int forbiddenVersionsSize = ForbiddenVersions.DEFAULT_SECTION_SIZE;

    private Builder(DeviceType device, FwVersion fwVersion) {
      this.device = device;
      this.fwVersion = fwVersion;
    }

    public Builder device(DeviceType value) {
      device = value;
      return this;
    }

    public Builder fwVersion(FwVersion value) {
      fwVersion = value;
      return this;
    }

    /** Default: 0.0.0 (no date). */
    public Builder releaseDate(ReleaseDate value) {
      releaseDate = value;
      return this;
    }

    public Builder psid(String value) {
      psid = value;
      return this;
    }

    public Builder partNumber(String value) {
      partNumber = value;
      return this;
    }

    public Builder description(String value) {
      description = value;
      return this;
    }

    public Builder productVersion(String value) {
      productVersion = value;
      return this;
    }

    public Builder prsName(String value) {
      prsName = value;
      return this;
    }

    public Builder vsd(String value) {
      vsd = value;
      return this;
    }

    public Builder deviceVsd(String value) {
      deviceVsd = value;
      return this;
    }

    /** Default 0. */
    public Builder securityVersion(long value) {
      securityVersion = value;
      return this;
    }

    /** Replaces the flags; default {@code mcc_en, long_keys}. */
    public Builder flags(Set<ImageInfoFlag> value) {
      flags = value.isEmpty() ? EnumSet.noneOf(ImageInfoFlag.class) : EnumSet.copyOf(value);
      return this;
    }

    /** Sets or clears one flag. */
    public Builder flag(ImageInfoFlag flag, boolean set) {
      if (set) {
        flags.add(flag);
      } else {
        flags.remove(flag);
      }
      return this;
    }

    public Builder guids(UidEntry value) {
      guids = value;
      return this;
    }

    public Builder macs(UidEntry value) {
      macs = value;
      return this;
    }

    /** Default 1 MiB. */
    public Builder imageSize(long value) {
      imageSize = value;
      return this;
    }

    /** Default 0: the writer picks max(0x16, ceil(log2(image size)) − 1). */
    public Builder log2SlotSize(int value) {
      log2SlotSize = value;
      return this;
    }

    public Builder hashesTable(boolean value) {
      hashesTable = value;
      return this;
    }

    public Builder boot2Dwords(int value) {
      boot2Dwords = value;
      return this;
    }

    public Builder section(SectionSpec value) {
      sections.add(Objects.requireNonNull(value, "section"));
      return this;
    }

    public Builder sections(List<SectionSpec> values) {
      sections.clear();
      sections.addAll(values);
      return this;
    }

    public Builder reserve(ReservedSection... values) {
      Collections.addAll(reserved, values);
      return this;
    }

    public Builder reserved(Set<ReservedSection> values) {
      reserved = values.isEmpty() ? EnumSet.noneOf(ReservedSection.class) : EnumSet.copyOf(values);
      return this;
    }

    /** Default 8. */
    public Builder publicKeyEntries(int value) {
      publicKeyEntries = value;
      return this;
    }

    /** Default: none forbidden. */
    public Builder forbiddenVersions(ForbiddenVersions value) {
      forbiddenVersions = value;
      return this;
    }

    /** Default 0x100. */
    public Builder forbiddenVersionsSize(int value) {
      forbiddenVersionsSize = value;
      return this;
    }

    /** Default FS4; FS3 is the ConnectX-4 / ConnectX-4 Lx format. */
    public Builder format(ImageFormat value) {
      format = Objects.requireNonNull(value, "format");
      return this;
    }

    public ImageDescription build() {
      return new ImageDescription(device, fwVersion, releaseDate, psid, partNumber, description,
          productVersion, prsName, vsd, deviceVsd, securityVersion, flags, guids, macs, imageSize,
          log2SlotSize, hashesTable, boot2Dwords, sections, reserved, publicKeyEntries,
          forbiddenVersions, forbiddenVersionsSize, format);
    }
  }
}
