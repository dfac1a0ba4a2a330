package dev.kiln.inspector.section;

import dev.kiln.inspector.format.Dwords;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The IMAGE_INFO section (type 0x10, 0x400 bytes; fs4-format.md §11). Positions are {@code
 * dword.lowbit-highbit} of big-endian dwords; strings are NUL-padded ASCII.
 *
 * <table>
 *   <caption>Layout (minor_version 3)</caption>
 *   <tr><th>position</th><th>field</th></tr>
 *   <tr><td>0x0.1 .. 0x0.15</td><td>one-bit flags, see {@link ImageInfoFlag}</td></tr>
 *   <tr><td>0x0.3-4</td><td>encrypted_fw (0 none, 1 before, 2 after signature)</td></tr>
 *   <tr><td>0x0.16-23</td><td>minor_version (3: name/description/prs_name below)</td></tr>
 *   <tr><td>0x0.24-31</td><td>major_version, must be 0</td></tr>
 *   <tr><td>0x4.16-31</td><td>FW version major</td></tr>
 *   <tr><td>0x8.16-31 / 0x8.0-15</td><td>FW version minor / subminor</td></tr>
 *   <tr><td>0xC.8-15 / .16-23 / .24-31</td><td>build hour / minutes / seconds</td></tr>
 *   <tr><td>0x10.0-7 / .8-15 / .16-31</td><td>release day / month / year (BCD-looking)</td></tr>
 *   <tr><td>0x14.16-31, 0x18.16-31, 0x18.0-15</td><td>mic_version major, minor, subminor</td></tr>
 *   <tr><td>0x1C.0-15 / 0x1C.16-31</td><td>pci_vendor_id / pci_device_id</td></tr>
 *   <tr><td>0x20.0-15 / 0x20.16-31</td><td>pci_sub_vendor_id / pci_subsystem_id</td></tr>
 *   <tr><td>0x24 (16)</td><td>psid</td></tr>
 *   <tr><td>0x34.0-15 / 0x34.16-23</td><td>vsd_vendor_id / psc_sku</td></tr>
 *   <tr><td>0x38 (208)</td><td>vsd</td></tr>
 *   <tr><td>0x108.0-7 / 0x108.31 / 0x10C</td><td>image_size: log_step / run_from_any /
 *       max_size</td></tr>
 *   <tr><td>0x110.0-7 / .8-15 / .16-31</td><td>synced_reset_downtime / dtoc_offset /
 *       toc_copy_ofst</td></tr>
 *   <tr><td>0x118, 0x11C, 0x120, 0x124</td><td>supported_hw_id[4]; [0] must be a known HW
 *       id</td></tr>
 *   <tr><td>0x128 / 0x12C</td><td>ini_file_num / burn_image_size</td></tr>
 *   <tr><td>0x190..0x1BF</td><td>version_vector (not modelled; written as 0)</td></tr>
 *   <tr><td>0x1C0 (16)</td><td>prod_ver ("Product Version")</td></tr>
 *   <tr><td>0x1D0 (256)</td><td>description</td></tr>
 *   <tr><td>0x300..0x33F</td><td>module_versions (not modelled; written as 0)</td></tr>
 *   <tr><td>0x340 (64)</td><td>name (printed as "Part Number")</td></tr>
 *   <tr><td>0x380 (128)</td><td>prs_name</td></tr>
 * </table>
 *
 * <p>Strings are decoded up to the first NUL as ISO-8859-1 so garbage never fails; encoding
 * accepts printable ASCII only. With minor_version other than 3, mstflint does not read name,
 * description and PRS name from these offsets; {@link #decode} still reports what is stored there.
 *
 * @param minorVersion IMAGE_INFO minor version (3 for the layout above)
 * @param majorVersion IMAGE_INFO major version (0)
 * @param flags the one-bit flags that are set
 * @param encryptedFw the two-bit encrypted_fw field
 * @param fwVersion FW version
 * @param releaseDate release date (raw fields)
 * @param buildHour raw hour field
 * @param buildMinutes raw minutes field
 * @param buildSeconds raw seconds field
 * @param micVersion mic_version
 * @param pciVendorId PCI vendor id
 * @param pciDeviceId PCI device id
 * @param pciSubVendorId PCI subsystem vendor id
 * @param pciSubsystemId PCI subsystem id
 * @param psid parameter-set id, up to 16 characters
 * @param vsdVendorId VSD vendor id
 * @param pscSku psc_sku
 * @param vsd vendor-specific data, up to 208 characters
 * @param imageSizeLogStep image_size.log_step
 * @param runFromAny image_size.run_from_any
 * @param imageMaxSize image_size.max_size
 * @param syncedResetDowntime synced_reset_downtime (tens of ms)
 * @param dtocOffset dtoc_offset
 * @param tocCopyOffset toc_copy_ofst
 * @param supportedHwIds the four supported_hw_id dwords
 * @param iniFileNum ini_file_num
 * @param burnImageSize burn_image_size
 * @param productVersion prod_ver, up to 16 characters
 * @param description description, up to 256 characters
 * @param name product name / part number, up to 64 characters
 * @param prsName PRS name, up to 128 characters
 */
public record ImageInfo(
    int minorVersion,
    int majorVersion,
    Set<ImageInfoFlag> flags,
    int encryptedFw,
    FwVersion fwVersion,
    ReleaseDate releaseDate,
    int buildHour,
    int buildMinutes,
    int buildSeconds,
    FwVersion micVersion,
    int pciVendorId,
    int pciDeviceId,
    int pciSubVendorId,
    int pciSubsystemId,
    String psid,
    int vsdVendorId,
    int pscSku,
    String vsd,
    int imageSizeLogStep,
    boolean runFromAny,
    int imageMaxSize,
    int syncedResetDowntime,
    int dtocOffset,
    int tocCopyOffset,
    List<Integer> supportedHwIds,
    int iniFileNum,
    int burnImageSize,
    String productVersion,
    String description,
    String name,
    String prsName) {

  /** Size of the section. */
  public static final int SIZE = 0x400;

  /** Shortest body {@link #decode} accepts: up to and including burn_image_size. */
  public static final int MIN_DECODE_SIZE = 0x130;

  /** The layout version this class writes. */
  public static final int MINOR_VERSION_3 = 3;

  public static final int PSID_LENGTH = 16;
  public static final int VSD_LENGTH = 208;
  public static final int PRODUCT_VERSION_LENGTH = 16;
  public static final int DESCRIPTION_LENGTH = 256;
  public static final int NAME_LENGTH = 64;
  public static final int PRS_NAME_LENGTH = 128;

  /**
   * mstflint copies the PRS name into a 97-byte buffer, so {@code query full} prints at most the
   * first 96 of the field's 128 characters.
   */
  public static final int MSTFLINT_PRS_NAME_LENGTH = 96;

  private static final int PSID_AT = 0x24;
  private static final int VSD_AT = 0x38;
  private static final int HW_IDS_AT = 0x118;
  private static final int PRODUCT_VERSION_AT = 0x1C0;
  private static final int DESCRIPTION_AT = 0x1D0;
  private static final int NAME_AT = 0x340;
  private static final int PRS_NAME_AT = 0x380;

  public ImageInfo {
    flags = flags.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(flags));
    supportedHwIds = List.copyOf(supportedHwIds);
    if (supportedHwIds.size() != 4) {
      throw new IllegalArgumentException(
          "supported_hw_id has 4 entries, not " + supportedHwIds.size());
    }
  }

  /** A builder with minor_version 3, major 0, everything else zero or empty. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this record's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** True when {@code flag} is set. */
  public boolean has(ImageInfoFlag flag) {
    return flags.contains(flag);
  }

  /** The device named by supported_hw_id[0], if Kiln knows it. */
  public Optional<DeviceType> device() {
    return DeviceType.byHwId(supportedHwIds.get(0));
  }

  /**
   * Decodes an IMAGE_INFO body (position to limit of {@code body}; the buffer is not moved).
   *
   * @throws SectionFormatException if the body is shorter than {@link #MIN_DECODE_SIZE}
   */
  public static ImageInfo decode(ByteBuffer body) throws SectionFormatException {
    return decode(Fields.remaining(body));
  }

  /**
   * Decodes an IMAGE_INFO body. A body shorter than 0x400 (but at least {@link #MIN_DECODE_SIZE})
   * reads as if padded with zeros; bytes beyond 0x400 are ignored.
   *
   * @throws SectionFormatException if the body is shorter than {@link #MIN_DECODE_SIZE}
   */
  public static ImageInfo decode(byte[] body) throws SectionFormatException {
    Fields.requireLength("IMAGE_INFO", body, MIN_DECODE_SIZE);
    byte[] b = new byte[SIZE];
    System.arraycopy(body, 0, b, 0, Math.min(SIZE, body.length));
    Set<ImageInfoFlag> flags = EnumSet.noneOf(ImageInfoFlag.class);
    for (ImageInfoFlag flag : ImageInfoFlag.values()) {
      if (Fields.bits(b, 0, flag.bit(), 1) != 0) {
        flags.add(flag);
      }
    }
    List<Integer> hwIds = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      hwIds.add(Dwords.get(b, HW_IDS_AT + 4 * i));
    }
    return new ImageInfo(
        Fields.bits(b, 0, 16, 8),
        Fields.bits(b, 0, 24, 8),
        flags,
        Fields.bits(b, 0, 3, 2),
        new FwVersion(
            Fields.bits(b, 4, 16, 16), Fields.bits(b, 8, 16, 16), Fields.bits(b, 8, 0, 16)),
        new ReleaseDate(
            Fields.bits(b, 0x10, 0, 8), Fields.bits(b, 0x10, 8, 8), Fields.bits(b, 0x10, 16, 16)),
        Fields.bits(b, 0xC, 8, 8),
        Fields.bits(b, 0xC, 16, 8),
        Fields.bits(b, 0xC, 24, 8),
        new FwVersion(
            Fields.bits(b, 0x14, 16, 16),
            Fields.bits(b, 0x18, 16, 16),
            Fields.bits(b, 0x18, 0, 16)),
        Fields.bits(b, 0x1C, 0, 16),
        Fields.bits(b, 0x1C, 16, 16),
        Fields.bits(b, 0x20, 0, 16),
        Fields.bits(b, 0x20, 16, 16),
        Fields.string(b, PSID_AT, PSID_LENGTH),
        Fields.bits(b, 0x34, 0, 16),
        Fields.bits(b, 0x34, 16, 8),
        Fields.string(b, VSD_AT, VSD_LENGTH),
        Fields.bits(b, 0x108, 0, 8),
        Fields.bits(b, 0x108, 31, 1) != 0,
        Dwords.get(b, 0x10C),
        Fields.bits(b, 0x110, 0, 8),
        Fields.bits(b, 0x110, 8, 8),
        Fields.bits(b, 0x110, 16, 16),
        hwIds,
        Dwords.get(b, 0x128),
        Dwords.get(b, 0x12C),
        Fields.string(b, PRODUCT_VERSION_AT, PRODUCT_VERSION_LENGTH),
        Fields.string(b, DESCRIPTION_AT, DESCRIPTION_LENGTH),
        Fields.string(b, NAME_AT, NAME_LENGTH),
        Fields.string(b, PRS_NAME_AT, PRS_NAME_LENGTH));
  }

  /**
   * The 0x400-byte section body; fields not modelled here are 0.
   *
   * @throws IllegalArgumentException if a string is not printable ASCII or too long for its field,
   *     or a number does not fit its field
   */
  public byte[] encode() {
    byte[] b = new byte[SIZE];
    int dword0 = ((majorVersion & 0xFF) << 24) | ((minorVersion & 0xFF) << 16);
    dword0 |= (encryptedFw & 3) << 3;
    for (ImageInfoFlag flag : flags) {
      dword0 |= 1 << flag.bit();
    }
    Dwords.put(b, 0, dword0);
    Fields.putBits(b, 4, 16, 16, fwVersion.major());
    Fields.putBits(b, 8, 16, 16, fwVersion.minor());
    Fields.putBits(b, 8, 0, 16, fwVersion.subminor());
    Fields.putBits(b, 0xC, 8, 8, fits("build hour", buildHour, 8));
    Fields.putBits(b, 0xC, 16, 8, fits("build minutes", buildMinutes, 8));
    Fields.putBits(b, 0xC, 24, 8, fits("build seconds", buildSeconds, 8));
    Fields.putBits(b, 0x10, 0, 8, releaseDate.day());
    Fields.putBits(b, 0x10, 8, 8, releaseDate.month());
    Fields.putBits(b, 0x10, 16, 16, releaseDate.year());
    Fields.putBits(b, 0x14, 16, 16, micVersion.major());
    Fields.putBits(b, 0x18, 16, 16, micVersion.minor());
    Fields.putBits(b, 0x18, 0, 16, micVersion.subminor());
    Fields.putBits(b, 0x1C, 0, 16, fits("pci_vendor_id", pciVendorId, 16));
    Fields.putBits(b, 0x1C, 16, 16, fits("pci_device_id", pciDeviceId, 16));
    Fields.putBits(b, 0x20, 0, 16, fits("pci_sub_vendor_id", pciSubVendorId, 16));
    Fields.putBits(b, 0x20, 16, 16, fits("pci_subsystem_id", pciSubsystemId, 16));
    Fields.putString(b, PSID_AT, PSID_LENGTH, "PSID", psid);
    Fields.putBits(b, 0x34, 0, 16, fits("vsd_vendor_id", vsdVendorId, 16));
    Fields.putBits(b, 0x34, 16, 8, fits("psc_sku", pscSku, 8));
    Fields.putString(b, VSD_AT, VSD_LENGTH, "VSD", vsd);
    Fields.putBits(b, 0x108, 0, 8, fits("image_size.log_step", imageSizeLogStep, 8));
    Fields.putBits(b, 0x108, 31, 1, runFromAny ? 1 : 0);
    Dwords.put(b, 0x10C, imageMaxSize);
    Fields.putBits(b, 0x110, 0, 8, fits("synced_reset_downtime", syncedResetDowntime, 8));
    Fields.putBits(b, 0x110, 8, 8, fits("dtoc_offset", dtocOffset, 8));
    Fields.putBits(b, 0x110, 16, 16, fits("toc_copy_ofst", tocCopyOffset, 16));
    for (int i = 0; i < 4; i++) {
      Dwords.put(b, HW_IDS_AT + 4 * i, supportedHwIds.get(i));
    }
    Dwords.put(b, 0x128, iniFileNum);
    Dwords.put(b, 0x12C, burnImageSize);
    Fields.putString(b, PRODUCT_VERSION_AT, PRODUCT_VERSION_LENGTH, "product version",
        productVersion);
    Fields.putString(b, DESCRIPTION_AT, DESCRIPTION_LENGTH, "description", description);
    Fields.putString(b, NAME_AT, NAME_LENGTH, "part number", name);
    Fields.putString(b, PRS_NAME_AT, PRS_NAME_LENGTH, "PRS name", prsName);
    return b;
  }

  private static int fits(String field, int value, int width) {
    if (value < 0 || value >= (1 << width)) {
      throw new IllegalArgumentException(
          field + " " + value + " does not fit its " + width + "-bit field");
    }
    return value;
  }

  /** Builder for {@link ImageInfo}; every field starts at 0 / empty except minor_version 3. */
  public static final class Builder {
    private int minorVersion = MINOR_VERSION_3;
    private int majorVersion;
    private Set<ImageInfoFlag> flags = EnumSet.noneOf(ImageInfoFlag.class);
    private int encryptedFw;
    private FwVersion fwVersion = new FwVersion(0, 0, 0);
    private ReleaseDate releaseDate = ReleaseDate.NONE;
    private int buildHour;
    private int buildMinutes;
    private int buildSeconds;
    private FwVersion micVersion = new FwVersion(0, 0, 0);
    private int pciVendorId;
    private int pciDeviceId;
    private int pciSubVendorId;
    private int pciSubsystemId;
    private String psid = "";
    private int vsdVendorId;
    private int pscSku;
    private String vsd = "";
    private int imageSizeLogStep;
    private boolean runFromAny;
    private int imageMaxSize;
    private int syncedResetDowntime;
    private int dtocOffset;
    private int tocCopyOffset;
    private List<Integer> supportedHwIds = List.of(0, 0, 0, 0);
    private int iniFileNum;
    private int burnImageSize;
    private String productVersion = "";
    private String description = "";
    private String name = "";
    private String prsName = "";

    private Builder() {}

    private Builder(ImageInfo info) {
      minorVersion = info.minorVersion;
      majorVersion = info.majorVersion;
      flags =
          info.flags.isEmpty() ? EnumSet.noneOf(ImageInfoFlag.class) : EnumSet.copyOf(info.flags);
      encryptedFw = info.encryptedFw;
      fwVersion = info.fwVersion;
      releaseDate = info.releaseDate;
      buildHour = info.buildHour;
      buildMinutes = info.buildMinutes;
      buildSeconds = info.buildSeconds;
      micVersion = info.micVersion;
      pciVendorId = info.pciVendorId;
      pciDeviceId = info.pciDeviceId;
      pciSubVendorId = info.pciSubVendorId;
      pciSubsystemId = info.pciSubsystemId;
      psid = info.psid;
      vsdVendorId = info.vsdVendorId;
      pscSku = info.pscSku;
      vsd = info.vsd;
      imageSizeLogStep = info.imageSizeLogStep;
      runFromAny = info.runFromAny;
      imageMaxSize = info.imageMaxSize;
      syncedResetDowntime = info.syncedResetDowntime;
      dtocOffset = info.dtocOffset;
      tocCopyOffset = info.tocCopyOffset;
      supportedHwIds = info.supportedHwIds;
      iniFileNum = info.iniFileNum;
      burnImageSize = info.burnImageSize;
      productVersion = info.productVersion;
      description = info.description;
      name = info.name;
      prsName = info.prsName;
    }

    public Builder minorVersion(int value) {
      minorVersion = value;
      return this;
    }

    public Builder majorVersion(int value) {
      majorVersion = value;
      return this;
    }

    public Builder flags(Set<ImageInfoFlag> value) {
      flags = value.isEmpty() ? EnumSet.noneOf(ImageInfoFlag.class) : EnumSet.copyOf(value);
      return this;
    }

    public Builder flag(ImageInfoFlag flag, boolean set) {
      if (set) {
        flags.add(flag);
      } else {
        flags.remove(flag);
      }
      return this;
    }

    public Builder encryptedFw(int value) {
      encryptedFw = value;
      return this;
    }

    public Builder fwVersion(FwVersion value) {
      fwVersion = value;
      return this;
    }

    public Builder releaseDate(ReleaseDate value) {
      releaseDate = value;
      return this;
    }

    /** Raw hour, minutes and seconds fields of the build time. */
    public Builder buildTime(int hour, int minutes, int seconds) {
      buildHour = hour;
      buildMinutes = minutes;
      buildSeconds = seconds;
      return this;
    }

    public Builder micVersion(FwVersion value) {
      micVersion = value;
      return this;
    }

    public Builder pciIds(int vendorId, int deviceId, int subVendorId, int subsystemId) {
      pciVendorId = vendorId;
      pciDeviceId = deviceId;
      pciSubVendorId = subVendorId;
      pciSubsystemId = subsystemId;
      return this;
    }

    public Builder psid(String value) {
      psid = value;
      return this;
    }

    public Builder vsdVendorId(int value) {
      vsdVendorId = value;
      return this;
    }

    public Builder pscSku(int value) {
      pscSku = value;
      return this;
    }

    public Builder vsd(String value) {
      vsd = value;
      return this;
    }

    public Builder imageSize(int logStep, boolean fromAny, int maxSize) {
      imageSizeLogStep = logStep;
      runFromAny = fromAny;
      imageMaxSize = maxSize;
      return this;
    }

    public Builder syncedResetDowntime(int value) {
      syncedResetDowntime = value;
      return this;
    }

    public Builder dtocOffset(int value) {
      dtocOffset = value;
      return this;
    }

    public Builder tocCopyOffset(int value) {
      tocCopyOffset = value;
      return this;
    }

    /** Sets supported_hw_id (up to 4 values; the rest are 0). */
    public Builder supportedHwIds(List<Integer> values) {
      if (values.size() > 4) {
        throw new IllegalArgumentException("supported_hw_id holds at most 4 ids");
      }
      List<Integer> ids = new ArrayList<>(values);
      while (ids.size() < 4) {
        ids.add(0);
      }
      supportedHwIds = List.copyOf(ids);
      return this;
    }

    /** Sets supported_hw_id[0] and the PCI ids of {@code device}. */
    public Builder device(DeviceType device) {
      supportedHwIds(List.of(device.hwId()));
      pciVendorId = DeviceType.PCI_VENDOR_ID;
      pciDeviceId = device.pciDeviceId();
      return this;
    }

    public Builder iniFileNum(int value) {
      iniFileNum = value;
      return this;
    }

    public Builder burnImageSize(int value) {
      burnImageSize = value;
      return this;
    }

    public Builder productVersion(String value) {
      productVersion = value;
      return this;
    }

    public Builder description(String value) {
      description = value;
      return this;
    }

    /** The product name, which mstflint prints as "Part Number". */
    public Builder name(String value) {
      name = value;
      return this;
    }

    public Builder prsName(String value) {
      prsName = value;
      return this;
    }

    public ImageInfo build() {
      return new ImageInfo(minorVersion, majorVersion, flags, encryptedFw, fwVersion, releaseDate,
          buildHour, buildMinutes, buildSeconds, micVersion, pciVendorId, pciDeviceId,
          pciSubVendorId, pciSubsystemId, psid, vsdVendorId, pscSku, vsd, imageSizeLogStep,
          runFromAny, imageMaxSize, syncedResetDowntime, dtocOffset, tocCopyOffset,
          supportedHwIds, iniFileNum, burnImageSize, productVersion, description, name, prsName);
    }
  }
}
