package dev.kiln.inspector;

import dev.kiln.inspector.format.Fs3BootArea;
import dev.kiln.inspector.format.Fs4Magic;
import dev.kiln.inspector.format.TocEntry;
import dev.kiln.inspector.format.TocHeader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The BOOT_IMG component a host sends for a firmware-controlled update of an FS4 image: the bytes
 * mstflint 4.21 burns into an MCC device, computed the way it computes them.
 *
 * <p>mstflint's burn over MCC (mlxfwops/lib/fsctrl_ops.cpp, {@code FsCtrlOperations::FwBurnAdvanced}
 * then {@code _Burn}, which hands the buffer to {@code FwCompsMgr::burnComponents} as one BOOT_IMG
 * component) takes the image from {@code Fs4Operations::FwExtract4MBImage(img, true)}
 * (mlxfwops/lib/fs4_ops.cpp), which for an unencrypted image is {@code
 * Fs3Operations::FwExtract4MBImage} (mlxfwops/lib/fs3_ops.cpp). That function does not copy the
 * file: it verifies the image ({@code FsIntQueryAux}, i.e. {@code Fs4Operations::FsVerifyAux}),
 * which records every structure it reads in an image cache ({@code _imageCache}, an {@code
 * MlargeBuffer} whose unread bytes read as 0xFF, fs3_ops.h), and then returns the cache from the
 * image start for {@code getImageSize()} bytes, with the first 16 bytes (the magic pattern) set to
 * 0xFF. {@code maskDevToc} is a no-op for FS4 ({@code Fs4Operations::maskDevToc}: the device data
 * sit in the DTOC, outside the component).
 *
 * <table>
 *   <caption>What the component holds (image start 0)</caption>
 *   <tr><th>range</th><th>content</th><th>mstflint 4.21</th></tr>
 *   <tr><td>0 .. size</td><td>size = the highest end (translated offset + size) of any ITOC
 *       section: DTOC sections and everything after the last ITOC section are left out</td>
 *       <td>{@code Fs4Operations::getImageSize}, {@code lastImageAddr} in {@code
 *       Fs4Operations::verifyTocEntries}</td></tr>
 *   <tr><td>0x00 .. 0x10</td><td>0xFF (the magic pattern, masked)</td>
 *       <td>{@code Fs3Operations::FwExtract4MBImage}</td></tr>
 *   <tr><td>0 .. boot2_ptr</td><td>image bytes (boot area, HW pointers, tools area, ...)</td>
 *       <td>{@code FsVerifyAux}, "All Before Boot2"</td></tr>
 *   <tr><td>BOOT2</td><td>image bytes, (dword count + 4) * 4 bytes</td>
 *       <td>{@code FwOperations::checkBoot2}</td></tr>
 *   <tr><td>hashes table (when its HW pointer is neither 0 nor 0xFFFFFFFF)</td>
 *       <td>image bytes</td><td>{@code FsVerifyAux}</td></tr>
 *   <tr><td>ITOC header (and the invalid first copy when the fail-safe copy is used), every entry
 *       up to and including the END entry, every section body</td><td>image bytes; a body is
 *       stored at its contiguous address, read from its translated offset</td>
 *       <td>{@code Fs4Operations::verifyTocHeader}, {@code verifyTocEntries}</td></tr>
 *   <tr><td>DTOC header, entries and sections</td><td>image bytes (in practice past the end of
 *       the component)</td><td>same, with {@code isDtoc}</td></tr>
 *   <tr><td>everything else (gaps between structures)</td><td>0xFF</td>
 *       <td>{@code MlargeBuffer::get}, default value 0xFF</td></tr>
 * </table>
 *
 * <p>Later reads overwrite earlier ones where they overlap, in the order above. The HMAC digest
 * block ({@code _digest_mdk_ptr}) is never read during a burn: {@code getExtendedHWAravaPtrs} sets
 * the pointer only outside verification. Images that do not start at offset 0 are refused: for
 * them mstflint reads its cache from the image start although it stored the structures at their
 * contiguous addresses, so what it would send is not the image.
 *
 * <p>FS3 images (ConnectX-4, ConnectX-4 Lx) take the same path ({@code
 * Fs3Operations::FwExtract4MBImage} itself) with three differences: the size is the end of the
 * highest section at a <em>relative</em> address ({@code getImageSize}, {@code sizeOfImgData} in
 * {@code Fs3Operations::VerifyTOC}), so device data at absolute offsets stay out; "before BOOT2" is
 * the 0x38-byte boot area, and the 0x20 bytes read at every earlier 4 KiB boundary while looking
 * for the ITOC are in the cache too ({@code Fs3Operations::FsVerifyAux}); and {@code maskDevToc}
 * sets every ITOC entry with device_data to 0xFF.
 *
 * <p>The data an FS4 image signature covers is this component with the signature sections and
 * their ITOC entries masked too ({@code Fs3Operations::GetImageDataForSign}); the signer computes
 * it from its own layout reader ({@code signer.fs4.internal.FwUpdateBlob}), which keeps to the
 * regions of valid images only.
 */
public final class UpdateComponent {
  private UpdateComponent() {}

  /** One region of mstflint's image cache: {@code length} image bytes from {@code source}. */
  private record Region(long destination, long source, long length) {}

  /** The component's size: the end of the highest ITOC section. */
  public static long size(Fs4Image image) throws ImageFormatException {
    Toc itoc = usableItoc(image);
    boolean fs3 = image.format() == ImageFormat.FS3;
    long last = 0;
    for (Section section : itoc.sections()) {
      if (!fs3 || section.entry().fs3RelativeAddr()) {
        last = Math.max(last, section.offset() + section.size());
      }
    }
    return last;
  }

  /**
   * Puts back, in place, the magic pattern {@link #bytes} masked, for reading a component as a
   * device or a package keeps it (an MFA2 archive stores it masked, a device returns it masked on
   * read-back). Nothing in a masked component names its format, and the parser reads an image
   * under either magic, so both are tried and the one under which structural verification finds
   * fewer errors stays (the other format's CRCs and pointers fail wholesale); on a tie, or when
   * nothing parses, the FS4 magic, so that refusals speak of FS4 as before. An array that is not
   * masked is left alone.
   */
  public static void restoreMagic(byte[] component) {
    if (!Fs4Magic.unmask(component)) {
      return;
    }
    int asFs4 = verificationErrors(component);
    System.arraycopy(Fs4Magic.fs3Bytes(), 0, component, 0, Fs4Magic.LENGTH);
    int asFs3 = verificationErrors(component);
    if (asFs3 >= asFs4) {
      System.arraycopy(Fs4Magic.fs4Bytes(), 0, component, 0, Fs4Magic.LENGTH);
    }
  }

  private static int verificationErrors(byte[] image) {
    try {
      return ImageVerifier.verify(ImageParser.parse(image, "component")).errors().size();
    } catch (ImageFormatException | RuntimeException e) {
      return Integer.MAX_VALUE;
    }
  }

  /**
   * The component's bytes, as mstflint sends them.
   *
   * @throws ImageFormatException when the image is not one mstflint can extract (it would fail
   *     verification: no usable ITOC, a section or structure outside the file), or does not start
   *     at offset 0
   */
  public static byte[] bytes(Fs4Image image) throws ImageFormatException {
    long size = size(image);
    if (size < Fs4Magic.LENGTH || size > Integer.MAX_VALUE - 8) {
      throw new ImageFormatException(
          String.format("%s: the ITOC sections end at 0x%x; no component to send",
              image.source(), size));
    }
    byte[] component = new byte[(int) size];
    Arrays.fill(component, (byte) 0xFF);
    ByteBuffer bytes = image.bytes();
    for (Region region : regions(image)) {
      if (region.destination() >= size) {
        continue;
      }
      int length = (int) Math.min(region.length(), size - region.destination());
      bytes.get((int) region.source(), component, (int) region.destination(), length);
    }
    Fs4Magic.mask(component, 0);
    if (image.format() == ImageFormat.FS3) {
      for (Section section : image.itoc().orElseThrow().sections()) {
        if (section.entry().fs3DeviceData() && section.entryOffset() + TocEntry.SIZE <= size) {
          Arrays.fill(component, (int) section.entryOffset(),
              (int) section.entryOffset() + TocEntry.SIZE, (byte) 0xFF);
        }
      }
    }
    return component;
  }

  private static Toc usableItoc(Fs4Image image) throws ImageFormatException {
    if (image.imageStart() != 0) {
      throw new ImageFormatException(
          String.format(
              "%s: the image starts at 0x%x, not 0; kiln sends only images that start at 0 (for"
                  + " others mstflint would not send the image either)",
              image.source(), image.imageStart()));
    }
    Toc itoc = image.itoc().orElseThrow(
        () -> new ImageFormatException(image.source() + ": no valid ITOC; no component to send"));
    if (!itoc.terminated()) {
      throw new ImageFormatException(
          image.source() + ": the ITOC has no END entry; no component to send");
    }
    for (Section section : itoc.sections()) {
      if (!section.inBounds()) {
        throw new ImageFormatException(
            String.format("%s: ITOC section %s (0x%x bytes at 0x%x) is not inside the file",
                image.source(), section.name(), section.size(), section.offset()));
      }
    }
    return itoc;
  }

  /** The cache regions in the order mstflint's verification reads them. */
  private static List<Region> regions(Fs4Image image) throws ImageFormatException {
    List<Region> regions = new ArrayList<>();
    boolean fs3 = image.format() == ImageFormat.FS3;
    long boot2 = fs3 ? Fs3BootArea.SIZE
        : image.hwPointer(dev.kiln.inspector.format.HwPointer.BOOT2);
    Structure boot2Structure = image.structure("BOOT2").orElseThrow(
        () -> new ImageFormatException(image.source() + ": no valid BOOT2; no component to send"));
    add(regions, image, 0, 0, boot2);
    add(regions, image, boot2Structure.offset(), boot2Structure.offset(), boot2Structure.size());
    if (image.hashesTable().isPresent()) {
      Structure table = image.structure("HASHES_TABLE").orElseThrow();
      add(regions, image, table.offset(), table.offset(), table.size());
    }
    Toc itoc = image.itoc().orElseThrow();
    if (fs3) {
      // The headers read (and rejected) at earlier 4 KiB boundaries while looking for the ITOC.
      for (long at = Fs3BootArea.firstItocCandidate(boot2Structure.offset()
              + boot2Structure.size());
          at < itoc.headerOffset(); at += Fs3BootArea.ITOC_SEARCH_STEP) {
        add(regions, image, at, at, TocHeader.SIZE);
      }
    }
    if (itoc.failsafeCopy()) {
      long first = itoc.headerOffset() - TocHeader.FAILSAFE_DISTANCE;
      add(regions, image, first, first, TocHeader.SIZE);
    }
    addToc(regions, image, itoc);
    image.dtoc().ifPresent(dtoc -> addToc(regions, image, dtoc));
    return regions;
  }

  private static void addToc(List<Region> regions, Fs4Image image, Toc toc) {
    add(regions, image, toc.headerOffset(), toc.headerOffset(), TocHeader.SIZE);
    for (Section section : toc.sections()) {
      add(regions, image, section.entryOffset(), section.entryOffset(), TocEntry.SIZE);
      if (section.inBounds()) {
        add(regions, image, section.address(), section.offset(), section.size());
      }
    }
    if (toc.terminated()) {
      long end = toc.headerOffset() + TocHeader.SIZE + (long) toc.sections().size() * TocEntry.SIZE;
      add(regions, image, end, end, TocEntry.SIZE);
    }
  }

  /** Adds a region, cut to the file (mstflint fails verification on reads past it). */
  private static void add(
      List<Region> regions, Fs4Image image, long destination, long source, long length) {
    long available = Math.min(length, image.size() - source);
    if (source < 0 || destination < 0 || available <= 0) {
      return;
    }
    regions.add(new Region(destination, source, available));
  }
}
